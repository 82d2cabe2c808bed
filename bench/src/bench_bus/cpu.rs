//! CPU used during a cell, from /proc: the whole machine, this process (writers, log,
//! bus client, handlers, sled) and the nats-server process, so the report can say
//! whether the two cores were the limit and who used them.

use std::time::Instant;

/// Linux reports /proc times in USER_HZ ticks, which is 100 on every architecture
/// this runs on (reading `sysconf` would need `unsafe`, which the workspace denies).
const TICKS_PER_S: f64 = 100.0;

/// A reading of the counters at one instant.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    at: Instant,
    machine_busy: u64,
    machine_total: u64,
    own: u64,
    server: Option<u64>,
}

/// CPU use between two samples, in cores (1.0 = one core busy all the time).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    /// Busy fraction of all cores, 0–1.
    pub machine_busy: f64,
    pub own_cores: f64,
    pub server_cores: Option<f64>,
}

impl Sample {
    pub fn take(server_pid: Option<u32>) -> Sample {
        let (machine_busy, machine_total) = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| machine_ticks(&s))
            .unwrap_or((0, 0));
        Sample {
            at: Instant::now(),
            machine_busy,
            machine_total,
            own: process_ticks("self").unwrap_or(0),
            server: server_pid.and_then(|pid| process_ticks(&pid.to_string())),
        }
    }

    pub fn usage_since(&self, before: &Sample) -> Usage {
        let secs = (self.at - before.at).as_secs_f64().max(1e-9);
        let cores = |ticks: u64| ticks as f64 / TICKS_PER_S / secs;
        let total = self.machine_total.saturating_sub(before.machine_total);
        Usage {
            machine_busy: self.machine_busy.saturating_sub(before.machine_busy) as f64
                / total.max(1) as f64,
            own_cores: cores(self.own.saturating_sub(before.own)),
            server_cores: match (self.server, before.server) {
                (Some(now), Some(then)) => Some(cores(now.saturating_sub(then))),
                _ => None,
            },
        }
    }
}

/// (busy, total) ticks of all CPUs from the first line of /proc/stat; idle and iowait
/// count as not busy.
fn machine_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest times are inside user).
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// utime + stime of a process (`self` or a pid).
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    process_ticks_in(&stat)
}

fn process_ticks_in(stat: &str) -> Option<u64> {
    // The command name may hold spaces: fields are counted after its closing ')'.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the line are the 12th and 13th after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The pid of a nats-server listening on `port`, found by its command line.
pub fn find_server(port: u16) -> Option<u32> {
    let port = port.to_string();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_server = args.first()?.ends_with(b"nats-server");
            let on_port = args
                .windows(2)
                .any(|w| (w[0] == b"-p" || w[0] == b"--port") && w[1] == port.as_bytes());
            (is_server && on_port).then_some(pid)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_ticks_count_idle_and_iowait_as_not_busy() {
        let stat = "cpu  100 0 50 800 40 5 5 0 0 0\ncpu0 1 2 3\n";
        assert_eq!(machine_ticks(stat), Some((160, 1000)));
    }

    #[test]
    fn process_ticks_are_utime_plus_stime_even_with_a_spaced_name() {
        let stat = "42 (tokio worker) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0";
        assert_eq!(process_ticks_in(stat), Some(325));
    }
}
