//! This server's instance id, kept in the data directory (`instance-id`,
//! written once), so that a restart on the same data recognises the rows
//! its earlier runs left, and never touches another instance's.

use std::io::{ErrorKind, Write};
use std::path::Path;

use crate::config::{new_instance_id, parse_instance_id};

const FILE: &str = "instance-id";

/// The id in `data_dir/instance-id`, created (with the directory) the
/// first time.
pub fn instance_id(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            return parse_instance_id(&text).map_err(|e| {
                std::io::Error::new(ErrorKind::InvalidData, format!("{}: {e}", path.display()))
            });
        }
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    std::fs::create_dir_all(data_dir)?;
    let id = new_instance_id();
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(mut f) => {
            f.write_all(format!("{id}\n").as_bytes())?;
            f.sync_all()?;
            Ok(id)
        }
        // Another process wrote it first: theirs is the id.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => instance_id(data_dir),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_once_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = instance_id(&data).unwrap();
        assert_eq!(instance_id(&data).unwrap(), first);
        std::fs::write(data.join(FILE), "not/valid\n").unwrap();
        assert!(instance_id(&data).is_err());
    }
}
