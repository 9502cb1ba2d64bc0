//! This server's instance id: given with `--instance-id`, else kept in the
//! data directory (`instance-id`, made on first start), so a restart on the
//! same data knows which connection rows were its own. With the memory
//! store nothing outlives the process, so a fresh id will do.

use std::path::Path;

use crate::config::{ServeConfig, StoreKind};
use crate::store::private_files::{private_dir, private_file};

/// The file in `--data` that keeps the id.
pub const FILE_NAME: &str = "instance-id";

/// The id file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("the instance id in {path}: {source}")]
pub struct InstanceError {
    path: String,
    source: std::io::Error,
}

pub fn id(config: &ServeConfig) -> Result<String, InstanceError> {
    if let Some(id) = &config.instance_id {
        return Ok(id.clone());
    }
    if config.store == StoreKind::Memory {
        return Ok(fresh());
    }
    kept_in(&config.data_dir)
}

fn fresh() -> String {
    ulid::Ulid::generate().to_string().to_lowercase()
}

fn kept_in(dir: &Path) -> Result<String, InstanceError> {
    let path = dir.join(FILE_NAME);
    let failed = |source| InstanceError {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => return Ok(id.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    let id = fresh();
    private_dir(dir).map_err(failed)?;
    private_file(&path).map_err(failed)?;
    std::fs::write(&path, format!("{id}\n")).map_err(failed)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_across_starts() {
        let dir = tempfile::tempdir().unwrap();
        let config = ServeConfig {
            store: StoreKind::Redb,
            data_dir: dir.path().join("data"),
            ..ServeConfig::default()
        };
        let first = id(&config).unwrap();
        assert_eq!(id(&config).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&config.data_dir), 0o700);
            assert_eq!(mode(&config.data_dir.join(FILE_NAME)), 0o600);
        }
        let given = ServeConfig {
            instance_id: Some("mine".into()),
            ..config
        };
        assert_eq!(id(&given).unwrap(), "mine");
    }
}
