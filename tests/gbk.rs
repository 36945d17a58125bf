//! A GBK / GB18030 text export gives the same fields as its UTF-8 twin (fixtures made with
//! `iconv -f UTF-8 -t GBK` / `-t GB18030` from the samples).

use baogao::pipeline::{Config, convert};
use std::path::Path;

#[test]
fn gbk_and_gb18030_texts_give_the_fields_of_their_utf8_twins() {
    let cfg = Config::builtin();
    for (twin, utf8) in [
        (
            "tests/fixtures/gbk/hanzhong-2020-dept-overall.gbk.txt",
            "samples/hanzhong-2020-dept-overall.txt",
        ),
        (
            "tests/fixtures/gbk/luochuan-2023-project-selfeval.gb18030.txt",
            "samples/luochuan-2023-project-selfeval.txt",
        ),
    ] {
        let bytes = std::fs::read(twin).unwrap();
        assert!(std::str::from_utf8(&bytes).is_err(), "{twin} is not UTF-8");
        let a = convert(Path::new(twin), twin, &cfg).unwrap();
        let b = convert(Path::new(utf8), utf8, &cfg).unwrap();
        assert!(!b.fields.is_empty());
        assert_eq!(a.fields, b.fields, "{twin}");
        assert_eq!(a.sections, b.sections, "{twin}");
        assert_eq!(a.targets, b.targets, "{twin}");
        assert_eq!(a.source.text_layer, "plain");
    }
}
