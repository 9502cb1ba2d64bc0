//! Places under `--max-connections` (and `--max-connections-per-ip`),
//! reserved when a TCP connection is accepted — before its request is
//! even read, so half-sent requests count, and before `$connect` runs, so
//! concurrent handshakes cannot overshoot the cap. A place is held by the
//! HTTP connection, then by the WebSocket session it turns into, and given
//! back when it ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// The caps and what is in use.
pub struct Slots {
    max: usize,
    per_ip: Option<usize>,
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// One reserved place; dropping it gives the place back.
pub struct Slot {
    slots: Arc<Slots>,
    ip: IpAddr,
}

/// The place of an HTTP connection, for the handshake to take over when
/// the connection becomes a WebSocket (or give back when it refuses one).
#[derive(Clone, Default)]
pub struct ConnSlot(Arc<Mutex<Option<Slot>>>);

impl ConnSlot {
    pub fn new(slot: Slot) -> Self {
        Self(Arc::new(Mutex::new(Some(slot))))
    }

    pub fn take(&self) -> Option<Slot> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Slots {
    pub fn new(max: usize, per_ip: Option<usize>) -> Arc<Self> {
        Arc::new(Self {
            max,
            per_ip,
            used: Mutex::new(Used::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Used> {
        self.used.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for a connection from `ip`, if one is free.
    pub fn acquire(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let ip = ip.to_canonical();
        let mut used = self.lock();
        if used.total >= self.max {
            return None;
        }
        let mine = used.by_ip.get(&ip).copied().unwrap_or(0);
        if self.per_ip.is_some_and(|cap| mine >= cap) {
            return None;
        }
        used.total += 1;
        if self.per_ip.is_some() {
            used.by_ip.insert(ip, mine + 1);
        }
        Some(Slot {
            slots: self.clone(),
            ip,
        })
    }

    /// Places in use.
    #[cfg(test)]
    pub fn in_use(&self) -> usize {
        self.lock().total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut used = self.slots.lock();
        used.total = used.total.saturating_sub(1);
        if let Some(n) = used.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                used.by_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_capped_in_total_and_per_address() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let slots = Slots::new(3, Some(2));
        let s1 = slots.acquire(a).unwrap();
        let _s2 = slots.acquire(a).unwrap();
        assert!(slots.acquire(a).is_none(), "per address");
        let _s3 = slots.acquire(b).unwrap();
        assert!(slots.acquire(b).is_none(), "in total");
        drop(s1);
        assert_eq!(slots.in_use(), 2);
        let held = ConnSlot::new(slots.acquire(a).unwrap());
        let taken = held.take();
        assert!(taken.is_some() && held.take().is_none());
        drop(taken);
        assert_eq!(slots.in_use(), 2);

        let open = Slots::new(2, None);
        let _x = open.acquire(a).unwrap();
        let _y = open.acquire(a).unwrap();
        assert!(open.acquire(b).is_none());
    }
}
