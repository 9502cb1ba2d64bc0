//! `/export FILE`: the room's conversation, read from `history` pages (so
//! it works against API Gateway too), in the reader's language with each
//! translation's original beside it, as Markdown or JSON by the file's
//! extension. Pages are collected in memory and the file is written only
//! once all came: to a temporary file beside it, then renamed, so an error
//! or a lost connection never leaves half a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Local, TimeZone};
use honyaku::protocol::{HistoryItem, MessageFrame};

/// The page size asked for: the most the server gives at once.
pub const PAGE: u32 = honyaku::limits::HISTORY_MAX_LIMIT as u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

/// The file and its format, checked before anything is asked: the
/// extension says the format, and the directory must exist.
pub fn target(arg: &str) -> Result<(PathBuf, Format), String> {
    let path = match arg.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => PathBuf::from(arg),
        },
        None => PathBuf::from(arg),
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("md" | "markdown") => Format::Markdown,
        Some("json") => Format::Json,
        _ => {
            return Err(format!(
                "{arg}: the file name must end in .md (Markdown) or .json (JSON)"
            ));
        }
    };
    if path.is_dir() {
        return Err(format!("{arg} is a directory"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!("{arg}: there is no directory {}", dir.display()));
    }
    Ok((path, format))
}

/// An export under way.
#[derive(Debug)]
pub struct Export {
    pub path: PathBuf,
    pub format: Format,
    room: String,
    lang: String,
    /// Pages as they came: the newest first, each oldest first.
    pages: Vec<Vec<HistoryItem>>,
    count: usize,
}

impl Export {
    pub fn new(path: PathBuf, format: Format) -> Self {
        Self {
            path,
            format,
            room: String::new(),
            lang: String::new(),
            pages: Vec::new(),
            count: 0,
        }
    }

    /// A page came; returns the messages so far.
    pub fn page(&mut self, room: &str, lang: &str, messages: Vec<HistoryItem>) -> usize {
        room.clone_into(&mut self.room);
        lang.clone_into(&mut self.lang);
        self.count += messages.len();
        self.pages.push(messages);
        self.count
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Writes the file; `Err` is a sentence, and then no file was made.
    pub fn finish(self) -> Result<usize, String> {
        let items: Vec<HistoryItem> = self.pages.into_iter().rev().flatten().collect();
        let body = match self.format {
            Format::Markdown => markdown(&self.room, &self.lang, &items),
            Format::Json => json(&self.room, &self.lang, &items),
        };
        write_whole(&self.path, body.as_bytes())
            .map_err(|e| format!("could not write {}: {e}", self.path.display()))?;
        Ok(items.len())
    }
}

/// Writes a temporary file beside `path`, then renames it over `path`.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(
        ".{}.part-{}",
        name.as_deref().unwrap_or("export"),
        std::process::id()
    ));
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let done = written.and_then(|()| fs::rename(&tmp, path));
    if done.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    done
}

fn time(ts: i64) -> String {
    Local.timestamp_millis_opt(ts).single().map_or_else(
        || ts.to_string(),
        |t| t.format("%Y-%m-%d %H:%M %:z").to_string(),
    )
}

fn json(room: &str, lang: &str, items: &[HistoryItem]) -> String {
    let doc = serde_json::json!({
        "room": room,
        "lang": lang,
        "exportedAt": Local::now().to_rfc3339(),
        "count": items.len(),
        "messages": items,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("history items always serialize");
    s.push('\n');
    s
}

fn markdown(room: &str, lang: &str, items: &[HistoryItem]) -> String {
    let mut out = format!(
        "# {}\n\nExported by honyaku-chat on {}: {} message{}, read in {}; each translation has its original beside it.\n",
        escape(room),
        Local::now().format("%Y-%m-%d %H:%M %:z"),
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        escape(lang),
    );
    for item in items {
        out.push('\n');
        match item {
            HistoryItem::Message(m) => out.push_str(&message(m)),
            HistoryItem::Deleted(d) => out.push_str(&format!(
                "**{}** · {}  \n*message deleted*\n",
                escape(&d.from.name),
                time(d.ts)
            )),
        }
    }
    out
}

fn message(m: &MessageFrame) -> String {
    let mut head = format!("**{}** · {}", escape(&m.from.name), time(m.ts));
    if m.edited_at.is_some() {
        head.push_str(" · edited");
    }
    if let Some(by) = &m.corrected_by {
        head.push_str(&format!(" · corrected by {}", escape(&by.name)));
    }
    let mut out = format!("{head}  \n");
    if let Some(q) = &m.reply_to {
        let quoted = match (&q.text, q.deleted) {
            (Some(text), false) => escape(&text.replace('\n', " ")),
            _ => "*message deleted*".into(),
        };
        out.push_str(&format!("↪ *{}:* {quoted}  \n", escape(&q.from.name)));
    }
    out.push_str(&format!("{}\n", lines(&m.text, "")));
    if m.translated
        && let Some(original) = &m.original
    {
        out.push_str(&format!(
            "> *{}:* {}\n",
            escape(&m.source_lang),
            lines(original, "> ")
        ));
    }
    if let Some(rs) = m.reactions.as_deref().filter(|r| !r.is_empty()) {
        let tally: Vec<String> = rs
            .iter()
            .map(|r| format!("{} {}", r.emoji, r.count))
            .collect();
        out.push_str(&format!("\n{}\n", tally.join(" · ")));
    }
    out
}

/// Lines of a text, each but the first starting with `prefix`, joined with
/// Markdown's hard break.
fn lines(text: &str, prefix: &str) -> String {
    text.lines()
        .map(escape)
        .collect::<Vec<_>>()
        .join(&format!("  \n{prefix}"))
}

/// Characters Markdown would take for markup, escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        if !c.is_control() || c == '\t' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: serde_json::Value) -> HistoryItem {
        serde_json::from_value(v).unwrap()
    }

    fn sample() -> Vec<Vec<HistoryItem>> {
        let from = serde_json::json!({"name": "Aki", "connectionId": "c1"});
        vec![
            vec![
                item(
                    serde_json::json!({"type":"message","id":"01JD5X6Q3V8K9M2N4P7R0S1T2X","room":"r","ts":2,
                    "from":from,"sourceLang":"ja","lang":"en","text":"*good* morning\nall",
                    "original":"おはよう","translated":true,"editedAt":3,
                    "replyTo":{"id":"01JD5X6Q3V8K9M2N4P7R0S1T2W","from":{"name":"Aki"},"text":"first"},
                    "reactions":[{"emoji":"👍","count":2,"tags":[]}]}),
                ),
                item(
                    serde_json::json!({"id":"01JD5X6Q3V8K9M2N4P7R0S1T2Y","ts":4,"from":from,"deleted":true}),
                ),
            ],
            vec![item(
                serde_json::json!({"type":"message","id":"01JD5X6Q3V8K9M2N4P7R0S1T2W","room":"r","ts":1,
                "from":from,"sourceLang":"en","lang":"en","text":"first","translated":false}),
            )],
        ]
    }

    fn export(format: Format, path: PathBuf) -> Export {
        let mut e = Export::new(path, format);
        for page in sample() {
            e.page("r", "en", page);
        }
        e
    }

    #[test]
    fn files_are_checked_first() {
        assert_eq!(target("a.MD").unwrap().1, Format::Markdown);
        assert_eq!(target("a.json").unwrap().1, Format::Json);
        assert!(target("a.txt").unwrap_err().contains(".md"));
        assert!(
            target("/no/such/dir/a.md")
                .unwrap_err()
                .contains("no directory")
        );
        let dir = std::env::temp_dir().join("x.md");
        let _ = fs::create_dir_all(&dir);
        assert!(
            target(dir.to_str().unwrap())
                .unwrap_err()
                .contains("directory")
        );
    }

    #[test]
    fn markdown_has_the_originals_oldest_first_and_escapes_markup() {
        let items: Vec<HistoryItem> = sample().into_iter().rev().flatten().collect();
        let md = markdown("r", "en", &items);
        let first = md.find("first").unwrap();
        let morning = md.find("\\*good\\* morning  \nall").unwrap();
        assert!(first < morning, "{md}");
        assert!(md.contains("· edited  \n"), "{md}");
        assert!(md.contains("> *ja:* おはよう\n"), "{md}");
        assert!(md.contains("↪ *Aki:* first  \n\\*good\\*"), "{md}");
        assert!(md.contains("\n👍 2\n"), "{md}");
        assert!(md.contains("*message deleted*"), "{md}");
        assert!(md.contains("3 messages, read in en"), "{md}");
    }

    #[test]
    fn the_file_is_whole_or_absent() {
        let dir = std::env::temp_dir().join(format!("hc-export-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("room.json");
        assert_eq!(export(Format::Json, path.clone()).finish(), Ok(3));
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["count"], 3);
        assert_eq!(v["messages"][0]["text"], "first");
        assert_eq!(v["messages"][2]["deleted"], true);
        // A file that cannot be made: nothing is left behind.
        let bad = dir.join("missing").join("room.md");
        assert!(export(Format::Markdown, bad).finish().is_err());
        let left: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
