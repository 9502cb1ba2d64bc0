//! Who is typing right now, from `typing` frames. The server relays at most
//! one per person every 3 s and never says "stopped", so someone counts as
//! typing for a while after their last frame, or until their message (or
//! their leaving) arrives.

use tokio::time::{Duration, Instant};

/// How long one `typing` frame keeps someone shown: two relay periods.
pub const SHOWN_FOR: Duration = Duration::from_secs(6);

struct Typist {
    /// The tag when known (two people may share a name), else the name.
    key: String,
    name: String,
    until: Instant,
}

#[derive(Default)]
pub struct Typists(Vec<Typist>);

fn key(name: &str, tag: Option<&str>) -> String {
    match tag {
        Some(tag) => format!("#{tag}"),
        None => format!("@{name}"),
    }
}

impl Typists {
    /// A `typing` frame arrived.
    pub fn typing(&mut self, name: &str, tag: Option<&str>, now: Instant) {
        let key = key(name, tag);
        let until = now + SHOWN_FOR;
        match self.0.iter_mut().find(|t| t.key == key) {
            Some(t) => {
                t.until = until;
                t.name = name.to_owned();
            }
            None => self.0.push(Typist {
                key,
                name: name.to_owned(),
                until,
            }),
        }
    }

    /// Their message or their leaving arrived; `true` if they were shown.
    pub fn stopped(&mut self, name: &str, tag: Option<&str>) -> bool {
        let key = key(name, tag);
        let before = self.0.len();
        self.0.retain(|t| t.key != key);
        self.0.len() != before
    }

    /// Forgets who typed too long ago; `true` if anyone went.
    pub fn expire(&mut self, now: Instant) -> bool {
        let before = self.0.len();
        self.0.retain(|t| t.until > now);
        self.0.len() != before
    }

    /// When the next person stops counting as typing.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.0.iter().map(|t| t.until).min()
    }

    /// Who is typing, first to start first.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|t| t.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_comes_and_goes() {
        let t0 = Instant::now();
        let mut t = Typists::default();
        t.typing("Aki", Some("aa"), t0);
        t.typing("Ben", None, t0 + Duration::from_secs(1));
        t.typing("Aki", Some("aa"), t0 + Duration::from_secs(3));
        assert_eq!(t.names(), ["Aki", "Ben"]);
        assert_eq!(t.next_expiry(), Some(t0 + Duration::from_secs(7)));
        assert!(!t.expire(t0 + Duration::from_secs(6)));
        assert!(t.expire(t0 + Duration::from_secs(7)));
        assert_eq!(t.names(), ["Aki"]);
        // A namesake with another tag is someone else.
        assert!(!t.stopped("Aki", Some("bb")));
        assert!(t.stopped("Aki", Some("aa")));
        assert!(t.names().is_empty() && t.next_expiry().is_none());
    }
}
