//! The files a job leaves in its working directory, as the course names them, and the
//! one way they are written: to a temporary file first, then renamed into place, so a
//! worker that dies half-way never leaves a partial `mr-X-Y` or `mr-out-Y` visible.

use crate::app::KeyValue;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The intermediate file map task `map` writes for reduce task `reduce`.
pub fn intermediate_name(map: usize, reduce: usize) -> String {
    format!("mr-{map}-{reduce}")
}

/// The output file of reduce task `reduce`.
pub fn output_name(reduce: usize) -> String {
    format!("mr-out-{reduce}")
}

/// Writes `bytes` to `dir/name` atomically: readers see the old file or the whole new one.
///
/// The temporary file is in the same directory (a rename across file systems is not
/// atomic) and its name does not start with `mr-out`, so a crashed worker's leftover is
/// never mistaken for output.
///
/// # Errors
/// When the directory is not writable or the disk is full.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let temp: PathBuf = dir.join(format!("mr-tmp-{}-{n}-{name}", std::process::id()));
    let result = fs::File::create(&temp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&temp, dir.join(name)));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Binds the coordinator's socket so that `path` appears only once it listens: bound and
/// listening under a temporary name beside it, then renamed into place (replacing any
/// file there). Binding at `path` itself leaves a moment between bind and listen when the
/// file exists but a connect is refused; a worker started on seeing the file, as the
/// tests start them, could hit it under load (30 of 13,800 stress runs on a loaded machine).
pub fn bind_listening(path: &Path) -> io::Result<tokio::net::UnixListener> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".{}.tmp", std::process::id()));
    let temp = PathBuf::from(temp);
    let _ = fs::remove_file(&temp);
    let listener = tokio::net::UnixListener::bind(&temp)?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(listener)
}

/// The contents of an intermediate file: the map's pairs for one reduce task.
///
/// # Errors
/// Never in practice (the codec accepts every `KeyValue`); kept for the signature's sake.
pub fn encode_pairs(pairs: &[KeyValue]) -> io::Result<Vec<u8>> {
    common::codec::encode(pairs).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Reads back what [`encode_pairs`] wrote.
///
/// # Errors
/// When the bytes are not an encoded list of pairs: a corrupt file is an error, not a panic.
pub fn decode_pairs(bytes: &[u8]) -> io::Result<Vec<KeyValue>> {
    common::codec::decode(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// One output line per key, in the course's `"%v %v\n"` format.
pub fn output_line(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push(' ');
    out.push_str(value);
    out.push('\n');
}

/// Non-empty lines, sorted bytewise: the course script's `sort | grep .`, the form in
/// which a job's output and the reference's are compared.
pub fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// A job's output as the course script reads it: every `mr-out*` file in `dir`, as
/// [`sorted_lines`].
///
/// # Errors
/// When `dir` cannot be listed or an output file cannot be read.
pub fn read_output(dir: &Path) -> io::Result<Vec<String>> {
    let mut text = String::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with("mr-out") {
            text.push_str(&fs::read_to_string(entry.path())?);
            text.push('\n');
        }
    }
    Ok(sorted_lines(&text))
}

/// Runs Reduce over `pairs`: sorts them by key and calls `reduce` once per distinct key
/// with its values in order, returning the output file's text. The sequential reference
/// and the reduce task both use it, so they agree line for line.
pub fn reduce_all(
    mut pairs: Vec<KeyValue>,
    mut reduce: impl FnMut(&str, &[String]) -> String,
) -> String {
    pairs.sort_by(|a, b| a.key.cmp(&b.key));
    let mut out = String::new();
    let mut values = Vec::new();
    let mut pairs = pairs.into_iter().peekable();
    while let Some(first) = pairs.next() {
        values.clear();
        values.push(first.value);
        while let Some(next) = pairs.next_if(|kv| kv.key == first.key) {
            values.push(next.value);
        }
        let value = reduce(&first.key, &values);
        output_line(&mut out, &first.key, &value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The socket path appears listening, replaces a stale file, and leaves no temporary.
    #[test]
    fn a_bound_socket_appears_listening() {
        let dir = std::env::temp_dir().join(format!("lab1-bind-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        fs::write(&path, "stale").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let _listener = bind_listening(&path).unwrap();
            std::os::unix::net::UnixStream::connect(&path).expect("listening when it appears");
        });
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["s.sock"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reduce_all_groups_by_key_in_key_order() {
        let pairs = vec![
            KeyValue::new("b", "1"),
            KeyValue::new("a", "x"),
            KeyValue::new("b", "2"),
        ];
        let out = reduce_all(pairs, |k, v| format!("{k}:{}", v.join("+")));
        assert_eq!(out, "a a:x\nb b:1+2\n");
    }

    #[test]
    fn corrupt_intermediate_bytes_are_an_error() {
        let good = encode_pairs(&[KeyValue::new("k", "v")]).unwrap();
        assert_eq!(decode_pairs(&good).unwrap(), [KeyValue::new("k", "v")]);
        assert!(decode_pairs(&good[..good.len() - 1]).is_err());
        assert!(decode_pairs(&[0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = std::env::temp_dir().join(format!("lab1-files-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        write_atomically(&dir, "mr-out-0", b"a 1\n").unwrap();
        write_atomically(&dir, "mr-out-0", b"a 2\n").unwrap();
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["mr-out-0"]);
        assert_eq!(fs::read(dir.join("mr-out-0")).unwrap(), b"a 2\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
