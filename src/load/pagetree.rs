//! The page list of a possibly damaged PDF: the page tree walked with loop and repeat
//! detection, the catalog found by its `/Type` when the trailer lost it, and the pages found
//! by scanning for `/Type /Page` when the tree itself is gone.
//!
//! lopdf's page iterator follows a `/Kids` entry that points back up the tree until an
//! iteration limit, returning the same page several times. [`walk`] visits every node once
//! (a node seen again is a loop or a repeat, skipped and reported) and iteratively, so a
//! deeply nested tree cannot overflow the stack. When the walk differs from what lopdf
//! would see, [`flatten`] rewrites the tree as one `/Pages` node, so every backend (also
//! pdf-extract, which numbers pages through lopdf) agrees on page numbers.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashSet;

/// Nesting beyond this is treated as damage (qpdf and poppler refuse such trees too).
const MAX_DEPTH: usize = 256;

/// What the walk found.
#[derive(Debug, Default)]
pub struct PageList {
    /// Page objects in reading order; a page whose object is missing (a truncated file)
    /// keeps its place so page numbers stay those of the intact file.
    pub pages: Vec<ObjectId>,
    /// Of `pages`, those whose object is missing.
    pub missing: Vec<usize>,
    /// The root node's `/Count`, when plausible.
    pub count: Option<usize>,
    /// Notes for the warnings (loops, repeats, catalog or tree found by scanning).
    pub notes: Vec<String>,
    /// The list differs from lopdf's own page order: call [`flatten`].
    pub needs_flatten: bool,
}

fn is_type(d: &Dictionary, t: &[u8]) -> bool {
    d.get(b"Type").and_then(Object::as_name).ok() == Some(t)
}

fn kids(doc: &Document, d: &Dictionary) -> Option<Vec<Object>> {
    let k = d.get(b"Kids").ok()?;
    let k = match k {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        o => o,
    };
    k.as_array().ok().cloned()
}

/// The catalog's id: the trailer's `/Root`, or else the last object whose `/Type` is
/// `/Catalog` (the trailer is then repaired to name it).
pub fn catalog(doc: &mut Document, notes: &mut Vec<String>) -> Option<ObjectId> {
    if let Ok(id) = doc.trailer.get(b"Root").and_then(Object::as_reference)
        && doc
            .get_dictionary(id)
            .is_ok_and(|d| d.get(b"Pages").is_ok())
    {
        return Some(id);
    }
    let found = doc
        .objects
        .iter()
        .rev()
        .find(|(_, o)| {
            o.as_dict()
                .is_ok_and(|d| is_type(d, b"Catalog") && d.has(b"Pages"))
        })
        .map(|(&id, _)| id)?;
    notes.push(format!(
        "the trailer names no usable catalog; found it as object {} by its /Type",
        found.0
    ));
    doc.trailer.set("Root", Object::Reference(found));
    Some(found)
}

/// Walk the page tree of `doc` (after [`catalog`] has repaired the trailer).
pub fn walk(doc: &mut Document) -> PageList {
    let mut list = PageList::default();
    let root_pages = catalog(doc, &mut list.notes).and_then(|c| {
        doc.get_dictionary(c)
            .ok()?
            .get(b"Pages")
            .and_then(Object::as_reference)
            .ok()
    });
    if let Some(root) = root_pages {
        list.count = doc
            .get_dictionary(root)
            .ok()
            .and_then(|d| d.get(b"Count").and_then(Object::as_i64).ok())
            .filter(|&c| c > 0 && c < 1_000_000)
            .map(|c| c as usize);
        let (mut loops, mut too_deep) = (0, false);
        let mut seen: HashSet<ObjectId> = HashSet::new();
        // (node, depth), last to visit first.
        let mut stack: Vec<(ObjectId, usize)> = vec![(root, 0)];
        while let Some((id, depth)) = stack.pop() {
            if !seen.insert(id) {
                loops += 1;
                continue;
            }
            let Ok(d) = doc.get_dictionary(id) else {
                if doc.objects.contains_key(&id) {
                    continue; // not a dictionary: junk in /Kids
                }
                list.missing.push(list.pages.len());
                list.pages.push(id);
                continue;
            };
            match kids(doc, d) {
                Some(k) if !is_type(d, b"Page") => {
                    if depth >= MAX_DEPTH {
                        too_deep = true;
                        continue;
                    }
                    for kid in k.iter().rev() {
                        if let Ok(kid) = kid.as_reference() {
                            stack.push((kid, depth + 1));
                        }
                    }
                }
                _ => {
                    if is_type(d, b"Page") || d.has(b"Contents") || d.has(b"MediaBox") {
                        list.pages.push(id);
                    }
                }
            }
        }
        if loops > 0 {
            list.notes.push(format!(
                "page tree: {loops} loop(s) or repeated node(s) skipped; each page read once"
            ));
            list.needs_flatten = true;
        }
        if too_deep {
            list.notes.push(format!(
                "page tree: nested deeper than {MAX_DEPTH} levels; the deeper part is skipped"
            ));
            list.needs_flatten = true;
        }
    }
    if list.pages.len() == list.missing.len() {
        // No readable page in the tree: take every page object, in object order.
        let found: Vec<ObjectId> = doc
            .objects
            .iter()
            .filter(|(_, o)| o.as_dict().is_ok_and(|d| is_type(d, b"Page")))
            .map(|(&id, _)| id)
            .collect();
        if !found.is_empty() {
            list.notes.push(format!(
                "page tree unreadable: {} page object(s) found by scanning, in file order",
                found.len()
            ));
            list.pages = found;
            list.missing.clear();
            list.needs_flatten = true;
        }
    }
    if !list.missing.is_empty() {
        list.needs_flatten = true;
    }
    list
}

const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Rewrite the page tree as one `/Pages` node holding `pages` (those that exist), copying
/// inherited attributes down into each page first.
pub fn flatten(doc: &mut Document, pages: &[ObjectId]) {
    let present: Vec<ObjectId> = pages
        .iter()
        .copied()
        .filter(|id| doc.get_dictionary(*id).is_ok())
        .collect();
    for &id in &present {
        let mut inherited: Vec<(&[u8], Object)> = Vec::new();
        let mut node = doc
            .get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"Parent").and_then(Object::as_reference).ok());
        let mut seen = HashSet::new();
        while let Some(p) = node.filter(|p| seen.insert(*p) && seen.len() < 64) {
            let Ok(d) = doc.get_dictionary(p) else { break };
            for key in INHERITED {
                if let Ok(v) = d.get(key)
                    && !inherited.iter().any(|(k, _)| *k == key)
                {
                    inherited.push((key, v.clone()));
                }
            }
            node = d.get(b"Parent").and_then(Object::as_reference).ok();
        }
        if let Ok(d) = doc.get_dictionary_mut(id) {
            for (k, v) in inherited {
                if !d.has(k) {
                    d.set(k, v);
                }
            }
        }
    }
    let root = doc.new_object_id();
    for &id in &present {
        if let Ok(d) = doc.get_dictionary_mut(id) {
            d.set("Parent", Object::Reference(root));
            d.set("Type", Object::Name(b"Page".to_vec()));
        }
    }
    let mut node = Dictionary::new();
    node.set("Type", Object::Name(b"Pages".to_vec()));
    node.set(
        "Kids",
        Object::Array(present.iter().map(|&id| Object::Reference(id)).collect()),
    );
    node.set("Count", Object::Integer(present.len() as i64));
    doc.objects.insert(root, Object::Dictionary(node));
    if let Ok(cat) = doc.trailer.get(b"Root").and_then(Object::as_reference)
        && let Ok(c) = doc.get_dictionary_mut(cat)
    {
        c.set("Pages", Object::Reference(root));
    } else {
        let mut cat = Dictionary::new();
        cat.set("Type", Object::Name(b"Catalog".to_vec()));
        cat.set("Pages", Object::Reference(root));
        let id = doc.add_object(Object::Dictionary(cat));
        doc.trailer.set("Root", Object::Reference(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with_loop() -> Document {
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages));
        let page = doc.add_object(Object::Dictionary(page));
        let mut node = Dictionary::new();
        node.set("Type", Object::Name(b"Pages".to_vec()));
        node.set(
            "Kids",
            Object::Array(vec![Object::Reference(page), Object::Reference(pages)]),
        );
        node.set("Count", Object::Integer(1));
        node.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 10.into(), 10.into()]),
        );
        doc.objects.insert(pages, Object::Dictionary(node));
        let mut cat = Dictionary::new();
        cat.set("Type", Object::Name(b"Catalog".to_vec()));
        cat.set("Pages", Object::Reference(pages));
        let cat = doc.add_object(Object::Dictionary(cat));
        doc.trailer.set("Root", Object::Reference(cat));
        doc
    }

    #[test]
    fn a_loop_gives_each_page_once_and_is_reported() {
        let mut doc = doc_with_loop();
        let list = walk(&mut doc);
        assert_eq!(list.pages.len(), 1);
        assert!(list.needs_flatten && list.notes[0].contains("loop"));
        flatten(&mut doc, &list.pages);
        assert_eq!(doc.get_pages().len(), 1);
        let page = doc.get_dictionary(list.pages[0]).unwrap();
        assert!(page.has(b"MediaBox"), "inherited attributes copied down");
    }

    #[test]
    fn lost_catalog_is_found_by_type() {
        let mut doc = doc_with_loop();
        doc.trailer.remove(b"Root");
        let list = walk(&mut doc);
        assert_eq!(list.pages.len(), 1);
        assert!(list.notes.iter().any(|n| n.contains("catalog")));
    }

    #[test]
    fn without_a_tree_pages_are_found_by_scanning() {
        let mut doc = doc_with_loop();
        let cat = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
        doc.objects.remove(&cat);
        doc.trailer.remove(b"Root");
        let list = walk(&mut doc);
        assert_eq!(list.pages.len(), 1);
        assert!(list.notes.iter().any(|n| n.contains("scanning")));
    }
}
