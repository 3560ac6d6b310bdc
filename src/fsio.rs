//! Reading input files safely, for every command: documents, `$ref` targets, sagas,
//! contracts, streams, the config, templates, codegen's output and manifest.
//!
//! - Only regular files are read. A file is opened without blocking (a FIFO with no
//!   writer would otherwise hang the open) and inspected through the open handle, so
//!   what is checked is what is read: a FIFO, a device, a socket or a folder is refused
//!   by name.
//! - Size is capped before reading ([`max_file_size`], `--max-file-size`), and a file
//!   that grows while it is read stops at the cap.

use std::fs::{self, File};
use std::io::{self, Read};
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

/// What a file system entry is, for messages: `a folder`, `a FIFO`, `a symbolic link`, ….
pub fn kind_of(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a folder"
    } else if ft.is_symlink() {
        "a symbolic link"
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
}
