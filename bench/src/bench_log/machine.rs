//! What the report says about the machine, and where the disk-backed peers write:
//! a directory on a real disk, never tmpfs, since a sync on tmpfs measures nothing.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;

/// The facts a reader needs to compare this run with another.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cores: usize,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: String,
    pub cpu_model: String,
    pub kernel: String,
    pub data_dir: PathBuf,
    /// File system type of `data_dir` (from /proc/mounts), `unknown` if not found.
    pub data_fs: String,
}

impl Machine {
    pub fn describe(data_dir: PathBuf) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".to_string(), |k| k.trim().to_string());
        let data_fs = fs_type(&data_dir).unwrap_or_else(|| "unknown".to_string());
        Machine {
            cores,
            date: utc_now(),
            cpu_model,
            kernel,
            data_dir,
            data_fs,
        }
    }
}

/// Picks the directory the disk-backed peers write under: `requested` if given, else
/// the system temp dir if it is on a real disk, else `./bench-data` (gitignored).
pub fn choose_data_dir(requested: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = match requested {
        Some(dir) => dir,
        None => {
            let temp = std::env::temp_dir();
            if fs_type(&temp).is_some_and(|fs| is_memory_fs(&fs)) {
                PathBuf::from("bench-data")
            } else {
                temp
            }
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))?;
    if let Some(fs) = fs_type(&dir).filter(|fs| is_memory_fs(fs)) {
        anyhow::bail!(
            "{} is on {fs}: a sync there measures nothing; pass --data-dir on a real disk",
            dir.display()
        );
    }
    Ok(dir)
}

fn is_memory_fs(fs: &str) -> bool {
    matches!(fs, "tmpfs" | "ramfs")
}

fn fs_type(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let path = path.canonicalize().ok()?;
    fs_type_in(&mounts, &path)
}

/// The file system type of the longest mount point that contains `path`.
fn fs_type_in(mounts: &str, path: &Path) -> Option<String> {
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            let mount_point = fields.next()?;
            let fs = fields.next()?;
            Some((PathBuf::from(mount_point), fs.to_string()))
        })
        .filter(|(mount_point, _)| path.starts_with(mount_point))
        .max_by_key(|(mount_point, _)| mount_point.as_os_str().len())
        .map(|(_, fs)| fs)
}

fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as an ISO-8601 UTC timestamp.
fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_formatted_as_utc_iso_dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_767_225_599), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn the_longest_matching_mount_point_decides_the_file_system() {
        let mounts = "/dev/vda / ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\ntmpfs /tmpx tmpfs rw 0 0\n";
        assert_eq!(
            fs_type_in(mounts, Path::new("/tmp/a")),
            Some("tmpfs".into())
        );
        assert_eq!(
            fs_type_in(mounts, Path::new("/tmpdir/a")),
            Some("ext4".into())
        );
        assert_eq!(fs_type_in(mounts, Path::new("/work")), Some("ext4".into()));
    }
}
