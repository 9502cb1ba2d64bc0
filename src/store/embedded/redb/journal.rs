//! The redb store's journal: each group of writes appended as one record
//! and synced before any of them is answered. Appending a few hundred
//! bytes costs far less than a B-tree commit, which copies every page the
//! group touched; the rows reach the redb file later, many groups in one
//! commit (a checkpoint), and the journal starts again empty.
//!
//! There are two journals: one takes the new groups while the rows of the
//! other are being checkpointed.
//!
//! A record is `[payload length: u32 LE][CRC-32 of payload: u32 LE]`
//! then the payload: the group's number (`u64 LE`, counting up across
//! both journals, so a replay of both takes the groups in order), then a
//! run of changes: `[1][pk][sk][value]` puts a row, `[0][pk][sk]`
//! deletes one, each field `[length: u32 LE][bytes]`.
//! Reading stops at the first record that is short or fails its check:
//! a crash while appending leaves at most the last record torn, and that
//! group was never answered.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// `(pk, sk)` → the new value, or `None` for a delete, in write order.
pub type Change = ((String, String), Option<Vec<u8>>);

/// One group's changes, with its number.
pub type Record = (u64, Vec<Change>);

/// The journal file, open for appending.
pub struct Journal {
    file: File,
    /// Bytes of whole records; a failed append is cut back to this.
    len: u64,
}

impl Journal {
    /// Opens (or creates) the journal at `path` and reads its whole
    /// records, oldest first. The caller applies them, then calls
    /// [`Journal::reset`].
    pub fn open(path: &Path) -> io::Result<(Self, Vec<Record>)> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let (records, whole) = decode_records(&bytes);
        if whole < bytes.len() {
            tracing::warn!(
                dropped = bytes.len() - whole,
                "the journal ends in a torn record (a crash while writing it); it was never acknowledged"
            );
            file.set_len(whole as u64)?;
        }
        let len = whole as u64;
        Ok((Self { file, len }, records))
    }

    /// Bytes in the journal.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Appends group `seq`'s `changes` as one record and syncs it. On
    /// failure the file is cut back, so that later records stay readable.
    pub fn append(&mut self, seq: u64, changes: &[Change]) -> io::Result<()> {
        let record = encode_record(seq, changes);
        let written = self
            .file
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| self.file.write_all(&record))
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += record.len() as u64;
                Ok(())
            }
            Err(e) => {
                if let Err(cut) = self.file.set_len(self.len) {
                    tracing::error!(error = %cut, "the journal could not be cut back after a failed write");
                }
                Err(e)
            }
        }
    }

    /// Empties the journal once its rows are in the redb file.
    pub fn reset(&mut self) -> io::Result<()> {
        self.file.set_len(0)?;
        self.file.sync_data()?;
        self.len = 0;
        Ok(())
    }
}

fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    // A row is at most 400 KB (the item limit), far below u32::MAX.
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn encode_record(seq: u64, changes: &[Change]) -> Vec<u8> {
    let mut payload = seq.to_le_bytes().to_vec();
    for ((pk, sk), value) in changes {
        payload.push(u8::from(value.is_some()));
        put_field(&mut payload, pk.as_bytes());
        put_field(&mut payload, sk.as_bytes());
        if let Some(value) = value {
            put_field(&mut payload, value);
        }
    }
    let mut record = Vec::with_capacity(payload.len() + 8);
    record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    record.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    record.extend_from_slice(&payload);
    record
}

/// Every whole record, and how many bytes those records take.
fn decode_records(bytes: &[u8]) -> (Vec<Record>, usize) {
    let mut records = Vec::new();
    let mut at = 0;
    while let Some(header) = bytes.get(at..at + 8) {
        let len = u32::from_le_bytes(header[..4].try_into().unwrap_or_default()) as usize;
        let crc = u32::from_le_bytes(header[4..].try_into().unwrap_or_default());
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let Some(record) = decode_payload(payload) else {
            break;
        };
        records.push(record);
        at += 8 + len;
    }
    (records, at)
}

fn decode_payload(p: &[u8]) -> Option<Record> {
    fn field<'a>(p: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = u32::from_le_bytes(p.get(..4)?.try_into().ok()?) as usize;
        let bytes = p.get(4..4 + len)?;
        *p = &p[4 + len..];
        Some(bytes)
    }
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
    let seq = u64::from_le_bytes(p.get(..8)?.try_into().ok()?);
    let mut p = &p[8..];
    let mut out = Vec::new();
    while let Some((&kind, rest)) = p.split_first() {
        p = rest;
        let pk = text(field(&mut p)?)?;
        let sk = text(field(&mut p)?)?;
        let value = match kind {
            1 => Some(field(&mut p)?.to_vec()),
            0 => None,
            _ => return None,
        };
        out.push(((pk, sk), value));
    }
    Some((seq, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(pk: &str, sk: &str, v: &str) -> Change {
        ((pk.into(), sk.into()), Some(v.as_bytes().to_vec()))
    }

    fn del(pk: &str, sk: &str) -> Change {
        ((pk.into(), sk.into()), None)
    }

    #[test]
    fn records_read_back_in_order_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut j, old) = Journal::open(&path).unwrap();
        assert!(old.is_empty());
        let first = vec![put("ROOM#r", "MSG#1", "{}"), del("ROOM#r", "MSG#0")];
        let second = vec![put("ROOM#r", "MSG#2", "é")];
        j.append(1, &first).unwrap();
        j.append(2, &second).unwrap();
        drop(j);
        let (_, back) = Journal::open(&path).unwrap();
        assert_eq!(back, [(1, first), (2, second)]);

        // A crash in the middle of a third record: the first two stay.
        let whole = std::fs::metadata(&path).unwrap().len();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&encode_record(3, &[put("ROOM#r", "MSG#3", "x")])[..9])
            .unwrap();
        drop(f);
        let (mut j, back) = Journal::open(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(j.len(), whole);
        // The next append comes after the whole records.
        j.append(4, &[put("ROOM#r", "MSG#4", "y")]).unwrap();
        let (mut j, back) = Journal::open(&path).unwrap();
        assert_eq!(back.last(), Some(&(4, vec![put("ROOM#r", "MSG#4", "y")])));
        j.reset().unwrap();
        assert!(Journal::open(&path).unwrap().1.is_empty());
    }

    #[test]
    fn a_record_failing_its_check_ends_the_journal() {
        let mut bytes = encode_record(1, &[put("a", "b", "c")]);
        let good = bytes.len();
        bytes.extend(encode_record(2, &[put("d", "e", "f")]));
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let (records, whole) = decode_records(&bytes);
        assert_eq!((records.len(), whole), (1, good));
    }
}
