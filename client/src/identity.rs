//! Who you are across restarts: a `client` secret (docs/PROTOCOL.md
//! "Connecting") made once and kept in the user's config directory. The
//! server derives a `tag` from it for each room, so your messages carry the
//! same `from.tag` after a restart and the client can show them as yours,
//! history included. The secret itself never leaves this file except as the
//! `client` query parameter, and is never printed or logged.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use honyaku::model::ClientKey;

/// 32 characters of 64 symbols: 192 random bits.
const LEN: usize = 32;
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// Where the secret lives: `$XDG_CONFIG_HOME/honyaku/client-id`, else
/// `~/.config/honyaku/client-id` (the XDG base directory rules: a relative
/// `XDG_CONFIG_HOME` is ignored). `None` when there is no home to use.
pub fn default_path() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| Some(std::env::var_os("HOME").and_then(absolute)?.join(".config")))?;
    Some(config.join("honyaku").join("client-id"))
}

/// The secret kept at `path`, made (mode 0600, in a 0700 directory) when
/// there is none yet. Two clients starting at once end up with the same one.
pub fn load_or_create(path: &Path) -> io::Result<String> {
    match read(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        other => return other,
    }
    if let Some(dir) = path.parent() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    // Written in full under another name, then linked into place: a
    // concurrent reader never sees half a secret, and the first link wins.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let secret = generate()?;
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(format!("{secret}\n").as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(secret),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(e),
    }
}

/// Whether `s` is a `client` the server accepts (its own rule).
pub fn is_valid(s: &str) -> bool {
    ClientKey::parse(s).is_ok()
}

fn read(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    let secret = text.trim();
    if !is_valid(secret) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a client id (16-64 of A-Z a-z 0-9 _ -); delete it to get a new one",
        ));
    }
    // A secret others can read is not one: take it back to 0600.
    let mode = file.metadata()?.permissions().mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(secret.to_owned())
}

fn generate() -> io::Result<String> {
    let mut bytes = [0u8; LEN];
    getrandom::getrandom(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    // 64 symbols: the low 6 bits of a random byte pick one uniformly.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 63)]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("honyaku-id-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn made_once_kept_private_and_reused() {
        let dir = scratch("once");
        let path = dir.join("honyaku").join("client-id");
        let first = load_or_create(&path).unwrap();
        assert_eq!(first.len(), LEN);
        assert!(is_valid(&first), "{first}");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(load_or_create(&path).unwrap(), first);
        // Loosened by hand: tightened again.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(load_or_create(&path).unwrap(), first);
        assert_eq!(mode(&path), 0o600);
        // Only the secret and a newline; no temporary file left behind.
        assert_eq!(fs::read_to_string(&path).unwrap(), format!("{first}\n"));
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        let other = scratch("other").join("client-id");
        assert_ne!(load_or_create(&other).unwrap(), first);
        let _ = fs::remove_dir_all(dir);
        let _ = fs::remove_dir_all(other.parent().unwrap());
    }

    #[test]
    fn a_damaged_file_is_reported_not_replaced() {
        let dir = scratch("bad");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("client-id");
        fs::write(&path, "short\n").unwrap();
        let e = load_or_create(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(fs::read_to_string(&path).unwrap(), "short\n");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn validity() {
        assert!(is_valid(&"a".repeat(16)) && is_valid(&"Z-_9".repeat(16)));
        assert!(!is_valid(&"a".repeat(15)) && !is_valid(&"a".repeat(65)));
        assert!(!is_valid("aaaaaaaaaaaaaaa=") && !is_valid("aaaaaaaaaaaaaaa é"));
    }
}
