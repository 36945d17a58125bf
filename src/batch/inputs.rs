//! Which files a batch converts and what each output is called: the directory walk, the
//! `--files-from` list, `--shard K/N`, and output names that depend on the input alone.

use crate::pipeline::sha256_hex;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::BufRead;
use std::os::unix::ffi::OsStringExt;
use std::path::{Component, Path, PathBuf};

/// `--shard K/N`: this run converts the inputs whose path hashes to K-1 modulo N.
///
/// The hash is 64-bit FNV-1a of the path as displayed (as given on the command line or in
/// the list, joined with the names found while walking). Hashing (rather than taking every
/// N-th input) keeps a file in the same shard when other files are added or removed, so
/// shards can be re-run with `--resume` as a collection grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let err = || format!("expected K/N with 1 <= K <= N, got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let index: u64 = k.trim().parse().map_err(|_| err())?;
        let count: u64 = n.trim().parse().map_err(|_| err())?;
        if index == 0 || index > count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    pub fn contains(&self, display: &str) -> bool {
        fnv1a(display.as_bytes()) % self.count == self.index - 1
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Whether a file name is a convertible input: an extension of an input format (any case),
/// restricted by `--formats` ([`crate::load::format::walk_accepts`]).
pub fn is_input_name(p: &Path) -> bool {
    crate::load::format::walk_accepts(p)
}

/// One input the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// The path relative to the directory root it was found under (`None` for a root that
    /// was given as a file, or does not exist).
    pub rel: Option<PathBuf>,
}

/// What the walk yields: an input, an unreadable directory, or a directory root that held
/// no input at all (so the user is told which folder was empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Input(Found),
    Unreadable(PathBuf, String),
    EmptyRoot(PathBuf),
}

/// Lazy walk over roots: a root that is a directory yields its .pdf/.txt files (depth
/// first, each directory's entries sorted by name, symlinked directories not followed);
/// any other root is yielded as is, so a missing file becomes an `io` row instead of
/// stopping the batch.
pub struct Inputs {
    roots: Box<dyn Iterator<Item = PathBuf> + Send>,
    /// The directory root being walked and how many inputs it gave so far.
    root: Option<(PathBuf, usize)>,
    stack: Vec<std::vec::IntoIter<PathBuf>>,
}

impl Inputs {
    pub fn new(roots: impl Iterator<Item = PathBuf> + Send + 'static) -> Inputs {
        Inputs {
            roots: Box::new(roots),
            root: None,
            stack: vec![],
        }
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<std::vec::IntoIter<PathBuf>> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v.into_iter())
}

impl Iterator for Inputs {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(top) = self.stack.last_mut() {
                let Some(p) = top.next() else {
                    self.stack.pop();
                    if self.stack.is_empty()
                        && let Some((root, 0)) = self.root.take()
                    {
                        return Some(Item::EmptyRoot(root));
                    }
                    continue;
                };
                let Ok(meta) = fs::symlink_metadata(&p) else {
                    continue; // vanished since the directory was listed
                };
                if meta.is_dir() {
                    match sorted_entries(&p) {
                        Ok(it) => self.stack.push(it),
                        Err(e) => return Some(Item::Unreadable(p, e.to_string())),
                    }
                } else if is_input_name(&p) && (meta.is_file() || p.is_file()) {
                    let (root, n) = self.root.as_mut().expect("walking a root");
                    *n += 1;
                    let rel = p.strip_prefix(&*root).ok().map(Path::to_path_buf);
                    return Some(Item::Input(Found { path: p, rel }));
                }
                continue;
            }
            self.root = None;
            let root = self.roots.next()?;
            if root.is_dir() {
                match sorted_entries(&root) {
                    Ok(it) => {
                        self.stack.push(it);
                        self.root = Some((root, 0));
                    }
                    Err(e) => return Some(Item::Unreadable(root, e.to_string())),
                }
            } else {
                return Some(Item::Input(Found {
                    path: root,
                    rel: None,
                }));
            }
        }
    }
}

/// Paths listed one per line (blank lines skipped; bytes kept as they are, so non-UTF-8
/// names work); reads lazily.
pub fn list_lines(r: impl BufRead + Send + 'static) -> impl Iterator<Item = PathBuf> + Send {
    r.split(b'\n').map_while(Result::ok).filter_map(|mut l| {
        if l.last() == Some(&b'\r') {
            l.pop();
        }
        (!l.iter().all(u8::is_ascii_whitespace)).then(|| PathBuf::from(OsString::from_vec(l)))
    })
}

/// Output names (`<name>.json` under `-o`), from the input alone:
///
/// - a file found under a directory root: its path relative to that root, extension
///   dropped (`DIR/a/report.pdf` → `a/report`; a flat folder gives `<input-stem>`);
/// - a file given by name, under `--relative-to DIR`: likewise relative to DIR;
/// - any other file given by name: its stem (`x/report.pdf` → `report`).
///
/// Two different inputs that would get the same name in one run (`a.pdf` and `a.txt`, or
/// the same file name from two folders without `--relative-to`) cannot share it: the later
/// one is named `<name>-<hash>` with the first 8 hex digits of the FNV-1a hash of its path
/// as given, so nothing is overwritten.
#[derive(Default)]
pub struct Namer {
    relative_to: Option<PathBuf>,
    taken: HashMap<String, String>,
}

impl Namer {
    pub fn new(relative_to: Option<PathBuf>) -> Namer {
        Namer {
            relative_to,
            taken: HashMap::new(),
        }
    }

    pub fn name(&mut self, f: &Found, display: &str) -> String {
        let rel = f.rel.clone().or_else(|| {
            let base = self.relative_to.as_ref()?;
            f.path.strip_prefix(base).ok().map(Path::to_path_buf)
        });
        let base = rel
            .as_deref()
            .and_then(mirrored)
            .unwrap_or_else(|| stem_of(&f.path));
        match self.taken.get(&base) {
            Some(owner) if owner != display => {
                let name = format!("{base}-{:08x}", fnv1a(display.as_bytes()) >> 32);
                self.taken.insert(name.clone(), display.to_string());
                name
            }
            Some(_) => base,
            None => {
                self.taken.insert(base.clone(), display.to_string());
                base
            }
        }
    }
}

fn stem_of(p: &Path) -> String {
    p.file_stem()
        .map_or_else(|| "input".into(), |s| s.to_string_lossy().into_owned())
}

/// `a/b/report.pdf` → `a/b/report`; `None` unless every component is a plain name.
fn mirrored(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in rel.parent()?.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    parts.push(stem_of(rel));
    Some(parts.join("/"))
}

pub fn file_sha(p: &Path) -> Option<String> {
    fs::read(p).ok().map(|b| sha256_hex(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_and_partitions() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        let names: Vec<String> = (0..100).map(|i| format!("dir/{i}.pdf")).collect();
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        for n in &names {
            assert_eq!(shards.iter().filter(|s| s.contains(n)).count(), 1, "{n}");
        }
        assert!(shards.iter().all(|s| names.iter().any(|n| s.contains(n))));
    }

    fn found(p: &str, rel: Option<&str>) -> Found {
        Found {
            path: p.into(),
            rel: rel.map(PathBuf::from),
        }
    }

    #[test]
    fn names_depend_on_the_input_alone() {
        // Walked: mirrored relative to the root, whatever else the run holds.
        let mut n = Namer::new(None);
        assert_eq!(
            n.name(
                &found("in/a/report.pdf", Some("a/report.pdf")),
                "in/a/report.pdf"
            ),
            "a/report"
        );
        assert_eq!(
            n.name(
                &found("in/b/report.pdf", Some("b/report.pdf")),
                "in/b/report.pdf"
            ),
            "b/report"
        );
        assert_eq!(n.name(&found("in/x.txt", Some("x.txt")), "in/x.txt"), "x");
        let mut alone = Namer::new(None);
        assert_eq!(
            alone.name(
                &found("in/b/report.pdf", Some("b/report.pdf")),
                "in/b/report.pdf"
            ),
            "b/report"
        );
        // Given by name under --relative-to: the same, in any partition of a list.
        for order in [
            ["/ar/a/r.pdf", "/ar/b/r.pdf"],
            ["/ar/b/r.pdf", "/ar/a/r.pdf"],
        ] {
            let mut n = Namer::new(Some("/ar".into()));
            let got: Vec<String> = order.iter().map(|p| n.name(&found(p, None), p)).collect();
            let want: Vec<String> = order
                .iter()
                .map(|p| p[4..p.len() - 4].to_string())
                .collect();
            assert_eq!(got, want);
        }
        // Outside --relative-to, or `..` in the rest: the plain stem.
        let mut n = Namer::new(Some("/ar".into()));
        assert_eq!(n.name(&found("/other/q.pdf", None), "/other/q.pdf"), "q");
        assert_eq!(
            n.name(&found("/ar/../etc/z.pdf", None), "/ar/../etc/z.pdf"),
            "z"
        );
    }

    #[test]
    fn a_name_is_never_shared_by_two_inputs() {
        let mut n = Namer::new(None);
        let a = n.name(&found("x/report.pdf", None), "x/report.pdf");
        let b = n.name(&found("y/report.pdf", None), "y/report.pdf");
        let a2 = n.name(&found("x/report.pdf", None), "x/report.pdf");
        assert_eq!(a, "report");
        assert_eq!(a2, "report", "the same input keeps its name");
        assert_eq!(b, format!("report-{:08x}", fnv1a(b"y/report.pdf") >> 32));
        let c = n.name(&found("d/s.pdf", Some("s.pdf")), "d/s.pdf");
        let d = n.name(&found("d/s.txt", Some("s.txt")), "d/s.txt");
        assert_eq!(c, "s");
        assert_ne!(c, d);
    }

    #[test]
    fn walk_is_sorted_recursive_filters_extensions_and_names_empty_roots() {
        let dir = std::env::temp_dir().join(format!("baogao-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::create_dir_all(dir.join("empty/deeper")).unwrap();
        for f in [
            "b.pdf",
            "a.TXT",
            "c.json",
            "sub/d.pdf",
            "empty/deeper/e.json",
        ] {
            fs::write(dir.join(f), "x").unwrap();
        }
        let roots = vec![
            dir.clone(),
            dir.join("missing.pdf"),
            dir.join("empty"),
            dir.join("sub"),
        ];
        let got: Vec<Item> = Inputs::new(roots.into_iter()).collect();
        let input = |p: &str, rel: Option<&str>| {
            Item::Input(Found {
                path: dir.join(p),
                rel: rel.map(PathBuf::from),
            })
        };
        let want = vec![
            input("a.TXT", Some("a.TXT")),
            input("b.pdf", Some("b.pdf")),
            input("sub/d.pdf", Some("sub/d.pdf")),
            input("missing.pdf", None),
            Item::EmptyRoot(dir.join("empty")),
            input("sub/d.pdf", Some("d.pdf")),
        ];
        assert_eq!(got, want);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn list_lines_skips_blanks_and_crlf() {
        let got: Vec<PathBuf> =
            list_lines(std::io::Cursor::new(b"a.pdf\r\n\n  \nb c.txt\n".to_vec())).collect();
        assert_eq!(got, [PathBuf::from("a.pdf"), PathBuf::from("b c.txt")]);
    }
}
