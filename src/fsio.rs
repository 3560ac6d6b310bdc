//! Writing output files safely, for every command that writes one (`--output`, codegen).
//!
//! - A regular file (or a missing path) is replaced atomically: the text goes to a
//!   temporary file created beside it with `O_CREAT|O_EXCL` under a random name (never
//!   through an existing path, so a planted symbolic link is never followed), then is
//!   renamed over the target. Readers see the old file or the new one, never a part.
//! - Anything else that already exists (a FIFO, a character device such as `/dev/null`
//!   or `/dev/full`, `/proc/self/fd/N`, `/dev/stdout`) is opened and written in place:
//!   renaming over it would replace the special file with a regular one. A write error
//!   (`/dev/full`: no space) is returned, never swallowed.
//! - Temporaries are named `.NAME.XXXXXX.hnp-tmp`; [`remove_stale_temporaries`] deletes
//!   the ones a killed run left behind.
//!
//! Output folders are locked with [`DirLock`] (an advisory `flock` on the folder) so two
//! runs writing into one folder take turns.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest input file read by default: 256 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 << 20;

static MAX_FILE_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// Set the largest input file any command reads (`--max-file-size`).
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, Ordering::Relaxed);
}

/// The largest input file any command reads.
pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(Ordering::Relaxed)
}

/// Why an input file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// Not a regular file: a FIFO, a device, a socket or a folder (what it is).
    NotRegular(&'static str),
    /// Larger than the limit.
    TooLarge {
        size: u64,
        max: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => f.write_str("no such file or directory"),
                io::ErrorKind::PermissionDenied => f.write_str("permission denied"),
                _ => write!(f, "{e}"),
            },
            ReadError::NotRegular(what) => write!(f, "not a regular file ({what})"),
            ReadError::TooLarge { size, max } => write!(
                f,
                "the file is {}, over the {} limit (--max-file-size)",
                human_size(*size),
                human_size(*max)
            ),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// `1.5 GiB`, `256 MiB`, `12 KiB`, `100 bytes`.
pub fn human_size(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            let whole = n / size;
            let tenth = (n % size) * 10 / size;
            return if tenth == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenth} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

/// Parse a size: bytes, or a number with `K`/`M`/`G` (binary units, `KiB` etc. too).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 256M, 1G, 1048576)"))?;
    let mul: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{s}`: unknown unit (use K, M or G)")),
    };
    n.checked_mul(mul)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}` is not a usable size"))
}

fn kind_of(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a folder"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Open a file for reading only if it is a regular file. The file is opened without
/// blocking (a FIFO with no writer would otherwise hang the open) and then inspected
/// through the open handle, so what is checked is what is read.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)?;
    let file = File::from(fd);
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    Ok(file)
}

/// Read a whole regular file, refusing anything else and anything over
/// [`max_file_size`] before reading it (and if it grows past it while read).
pub fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    let max = max_file_size();
    let file = open_regular(path)?;
    let size = file.metadata()?.len();
    if size > max {
        return Err(ReadError::TooLarge { size, max });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text (invalid UTF-8 is an I/O error of kind `InvalidData`).
pub fn read_regular_string(path: &Path) -> Result<String, ReadError> {
    let bytes = read_regular(path)?;
    String::from_utf8(bytes)
        .map_err(|e| ReadError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))
}

/// The suffix of every temporary file this tool creates.
pub const TEMP_SUFFIX: &str = ".hnp-tmp";

/// Write `bytes` to `path`: atomically when it is a regular file or missing, in place
/// when it is a special file (FIFO, device, `/proc/self/fd/N`). A symbolic link to a
/// regular file replaces the file it points to, not the link.
pub fn write_output(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.is_file() => {
            let real = fs::canonicalize(path)?;
            replace_atomically(&real, bytes)
        }
        Ok(m) if m.is_dir() => Err(io::Error::other("is a folder, not a file")),
        Ok(_) => {
            let mut f = OpenOptions::new().write(true).open(path)?;
            f.write_all(bytes)?;
            f.flush()
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(io::Error::other(
                    "is a symbolic link to nothing; refusing to write through it",
                ));
            }
            replace_atomically(path, bytes)
        }
        Err(e) => Err(e),
    }
}

/// Replace (or create) the regular file `path` with `bytes` through a fresh temporary
/// beside it. The path itself is never opened: a symbolic link there is replaced by the
/// file, not followed. The permissions of a file replaced are kept.
pub fn replace_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    if let Ok(m) = fs::symlink_metadata(path) {
        if m.is_file() {
            tmp.as_file().set_permissions(m.permissions())?;
        }
    }
    // On error the temporary is removed when `tmp` (or the error holding it) drops.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether a file name is one of our temporaries (`.NAME.XXXXXX.hnp-tmp`, or the
/// `.NAME.PID.hnp-tmp` of earlier versions).
pub fn is_temporary(name: &std::ffi::OsStr) -> bool {
    let b = name.as_encoded_bytes();
    b.first() == Some(&b'.') && b.ends_with(TEMP_SUFFIX.as_bytes()) && b.len() > 9
}

/// Remove the temporaries a killed run left under `dir` (every depth; symbolic links
/// are not followed, a link named like a temporary is removed itself). Returns how
/// many were removed. Call it only while holding the folder's [`DirLock`].
pub fn remove_stale_temporaries(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let ty = entry.file_type()?;
            if ty.is_dir() {
                stack.push(entry.path());
            } else if is_temporary(&entry.file_name()) {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// An advisory exclusive lock on a folder (`flock` on the folder itself, so nothing is
/// written to take it), released when dropped or when the process ends, killed or not.
pub struct DirLock {
    _dir: File,
}

impl DirLock {
    /// Lock `dir` (which must exist). When another process holds the lock, `waiting` is
    /// called once, then this blocks until the lock is free.
    pub fn acquire(dir: &Path, waiting: impl FnOnce()) -> io::Result<DirLock> {
        use rustix::fs::{FlockOperation, flock};
        let f = File::open(dir)?;
        match flock(&f, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                waiting();
                flock(&f, FlockOperation::LockExclusive)?;
            }
            Err(e) => return Err(e.into()),
        }
        Ok(DirLock { _dir: f })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_and_oversized_files_are_refused_before_reading() {
        let e = read_regular(Path::new("/dev/zero")).expect_err("a device");
        assert_eq!(e.to_string(), "not a regular file (a character device)");
        let d = tempfile::tempdir().expect("tempdir");
        let fifo = d.path().join("f.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // No writer: opening must not block.
            let e = read_regular(&fifo).expect_err("a FIFO");
            assert_eq!(e.to_string(), "not a regular file (a FIFO)");
        }
        let e = read_regular(d.path()).expect_err("a folder");
        assert_eq!(e.to_string(), "not a regular file (a folder)");
        let big = d.path().join("big.yaml");
        let f = File::create(&big).expect("create");
        f.set_len(3 << 30).expect("sparse 3 GiB");
        let e = read_regular(&big).expect_err("too large");
        assert!(
            e.to_string().contains("3 GiB, over the 256 MiB limit"),
            "{e}"
        );
    }

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("10kib"), Ok(10 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("99999999999G").is_err());
        assert_eq!(human_size(3 << 30), "3 GiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }

    #[test]
    fn temporaries_are_told_by_name() {
        use std::ffi::OsStr;
        assert!(is_temporary(OsStr::new(".models.rs.a1B2c3.hnp-tmp")));
        assert!(is_temporary(OsStr::new(".models.rs.4242.hnp-tmp")));
        assert!(!is_temporary(OsStr::new("models.rs")));
        assert!(!is_temporary(OsStr::new("x.hnp-tmp")));
        assert!(!is_temporary(OsStr::new(".hnp-tmp")));
    }

    #[test]
    fn replace_keeps_no_temporary_and_never_follows_a_link_at_the_target() {
        let d = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let victim = outside.path().join("victim");
        fs::write(&victim, "keep").expect("write");
        let target = d.path().join("out.txt");
        std::os::unix::fs::symlink(&victim, &target).expect("symlink");
        replace_atomically(&target, b"new").expect("replace");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "keep");
        assert!(fs::symlink_metadata(&target).expect("meta").is_file());
        assert_eq!(fs::read_to_string(&target).expect("read"), "new");
        let left: Vec<_> = fs::read_dir(d.path()).expect("ls").collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn special_files_are_written_in_place_and_errors_surface() {
        use std::os::unix::fs::FileTypeExt;
        write_output(Path::new("/dev/null"), b"x").expect("write /dev/null");
        let meta = fs::metadata("/dev/null").expect("meta");
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null is still a device"
        );
        if Path::new("/dev/full").exists() {
            assert!(write_output(Path::new("/dev/full"), b"x").is_err());
        }
    }

    #[test]
    fn a_held_lock_makes_the_second_wait() {
        let d = tempfile::tempdir().expect("tempdir");
        let first = DirLock::acquire(d.path(), || panic!("nothing to wait for")).expect("lock");
        let (tx, rx) = std::sync::mpsc::channel();
        let path = d.path().to_path_buf();
        let t = std::thread::spawn(move || {
            let mut waited = false;
            let _l = DirLock::acquire(&path, || waited = true).expect("lock");
            tx.send(waited).expect("send");
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        drop(first);
        assert!(rx.recv().expect("recv"), "the second lock waited");
        t.join().expect("join");
    }
}
