//! The targets table (issue "Performance v3"): each against the baseline
//! of the same run — the bare server with gathered writes, or the memory
//! store for durable messages/s.

use crate::common::{Table, thousands, verdict};
use crate::run::RunResult;
use crate::server::ServerKind;
use crate::tables::{
    MANY_ROOMS, MEMORY_TARGET_KIB, SMALL_ROOMS, TARGET_ROOM, baseline, find, honyaku_label, lat_ms,
    messages_per_sec, per_conn_kib, phase_name,
};
use crate::{FIXED, SATURATE};

/// Delivered frames/s at the fixed offered load, as a share of bare's.
const THROUGHPUT_SHARE: f64 = 0.90;
/// p99 send→receive at the fixed offered load, as a multiple of bare's.
const P99_TIMES: f64 = 1.5;
/// Durable messages/s with redb, as a share of the memory store's.
const DURABLE_SHARE: f64 = 0.90;
const STORES: [&str; 2] = ["memory", "redb"];

pub fn targets(results: &[RunResult], memory_scenarios: &[&str]) -> Table {
    let mut t = Table::new("Targets", &["target", "measured", "goal", "verdict"]);
    let not_measured = |t: &mut Table, what: String, goal: String| {
        t.row(vec![what, "not measured".into(), goal, "—".into()]);
    };
    for store in STORES {
        let what = format!(
            "{TARGET_ROOM}, {store} store: delivered frames/s vs bare ({})",
            phase_name(FIXED)
        );
        let goal = format!("≥ {:.0}%", THROUGHPUT_SHARE * 100.0);
        let base = baseline(results, TARGET_ROOM);
        let b = base.and_then(|b| find(results, TARGET_ROOM, &b, FIXED));
        match (find(results, TARGET_ROOM, &honyaku_label(store), FIXED), b) {
            (Some(h), Some(b)) => {
                let ratio = h.frames_per_sec / b.frames_per_sec;
                t.row(vec![
                    what,
                    format!(
                        "{:.0}% ({} vs {})",
                        ratio * 100.0,
                        thousands(h.frames_per_sec.round() as u64),
                        thousands(b.frames_per_sec.round() as u64)
                    ),
                    goal,
                    verdict(ratio >= THROUGHPUT_SHARE),
                ]);
            }
            _ => not_measured(&mut t, what, goal),
        }
    }
    for room in [TARGET_ROOM, SMALL_ROOMS] {
        for store in STORES {
            let what = format!("{room}, {store} store: p99 vs bare ({})", phase_name(FIXED));
            let goal = format!("≤ {P99_TIMES}×");
            let h = find(results, room, &honyaku_label(store), FIXED).and_then(|p| p.p99);
            let b = baseline(results, room)
                .and_then(|b| find(results, room, &b, FIXED))
                .and_then(|p| p.p99);
            match (h, b) {
                (Some(h), Some(b)) => {
                    let ratio = f64::from(h) / f64::from(b.max(1));
                    t.row(vec![
                        what,
                        format!("{ratio:.2}× ({} vs {})", lat_ms(Some(h)), lat_ms(Some(b))),
                        goal,
                        verdict(ratio <= P99_TIMES),
                    ]);
                }
                _ => not_measured(&mut t, what, goal),
            }
        }
    }
    let what = format!("{MANY_ROOMS}, saturated: redb durable messages/s vs the memory store's");
    let goal = format!("≥ {:.0}%", DURABLE_SHARE * 100.0);
    let run = |store| {
        results
            .iter()
            .find(|r| r.scenario == MANY_ROOMS && r.server.label() == honyaku_label(store))
    };
    match (
        find(results, MANY_ROOMS, &honyaku_label("redb"), SATURATE),
        find(results, MANY_ROOMS, &honyaku_label("memory"), SATURATE),
    ) {
        (Some(r), Some(m)) => {
            let ratio = r.frames_per_sec / m.frames_per_sec;
            let disk = run("redb")
                .and_then(|r| r.fsyncs_per_sec)
                .map_or(String::new(), |f| {
                    format!("; disk {} fsyncs/s", thousands(f.round() as u64))
                });
            t.row(vec![
                what,
                format!(
                    "{:.0}% ({} vs {} messages/s{disk})",
                    ratio * 100.0,
                    thousands(messages_per_sec(r).round() as u64),
                    thousands(messages_per_sec(m).round() as u64),
                ),
                goal,
                verdict(ratio >= DURABLE_SHARE),
            ]);
        }
        _ => not_measured(&mut t, what, goal),
    }
    for r in results
        .iter()
        .filter(|r| memory_scenarios.contains(&r.scenario))
        .filter(|r| matches!(r.server, ServerKind::Honyaku { .. }))
    {
        let kib = per_conn_kib(r, r.server_rss);
        t.row(vec![
            format!(
                "memory per idle connection at {} connections, server ({})",
                thousands(r.connections as u64),
                r.server.label()
            ),
            format!("{kib:.1} KiB"),
            format!("≤ {MEMORY_TARGET_KIB:.0} KiB"),
            verdict(kib <= MEMORY_TARGET_KIB),
        ]);
    }
    let lost: u64 = results
        .iter()
        .flat_map(|r| &r.phases)
        .map(|p| p.expected.saturating_sub(p.received))
        .sum();
    let ended: usize = results.iter().map(|r| r.dropped + r.failed).sum();
    let errors: u64 = results.iter().flat_map(|r| r.errors.values()).sum();
    t.row(vec![
        "no frame lost, in any scenario and server".into(),
        format!("{lost} frames lost; {ended} sockets failed or ended early; {errors} error frames"),
        "0".into(),
        verdict(lost == 0 && ended == 0 && errors == 0),
    ]);
    t
}
