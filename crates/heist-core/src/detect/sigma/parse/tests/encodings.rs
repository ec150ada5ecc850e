//! The string transformation modifiers: `windash`, `base64`, `base64offset`, and the UTF-16 encodings.

use serde_json::json;

use super::{det, det_err, hit, is_invalid, is_unsupported};

#[test]
fn windash_makes_dashes_interchangeable() {
    let d = det("sel:\n    cmd|windash|contains: ' -enc '\ncondition: sel");
    assert!(hit(&d, json!({"cmd": "powershell -enc AAAA"})));
    assert!(hit(&d, json!({"cmd": "powershell /enc AAAA"})));
    assert!(hit(&d, json!({"cmd": "powershell \u{2013}enc AAAA"})));
    assert!(hit(&d, json!({"cmd": "powershell \u{2014}enc AAAA"})));
    assert!(hit(&d, json!({"cmd": "powershell \u{2015}ENC AAAA"})));
    assert!(!hit(&d, json!({"cmd": "powershell +enc AAAA"})));
    assert!(!hit(&d, json!({"cmd": "powershell enc AAAA"})));
}

#[test]
fn base64_encodes_the_value() {
    // base64("/bin/sh") = L2Jpbi9zaA==
    let d = det("sel:\n    data|base64|contains: '/bin/sh'\ncondition: sel");
    assert!(hit(&d, json!({"data": "x L2Jpbi9zaA== y"})));
    assert!(!hit(&d, json!({"data": "/bin/sh"})));
    assert!(is_invalid(
        &det_err("sel:\n    data|base64: 'a*'\ncondition: sel"),
        "wildcards"
    ));
}

#[test]
fn base64offset_matches_all_three_offsets() {
    // The specification's three shifts of "/bin/sh": L2Jpbi9za, 9iaW4vc2, vYmluL3No.
    let d = det("sel:\n    data|base64offset|contains: '/bin/sh'\ncondition: sel");
    assert!(hit(&d, json!({"data": "ZWNobyAvYmluL3No"}))); // "echo /bin/sh"
    assert!(hit(&d, json!({"data": "eC9iaW4vc2g="}))); // "x/bin/sh"
    assert!(hit(&d, json!({"data": "L2Jpbi9zaA=="}))); // "/bin/sh"
    assert!(hit(&d, json!({"data": "eHgvYmluL3No"}))); // "xx/bin/sh"
    assert!(!hit(&d, json!({"data": "L2Jpbi9iYXNo"}))); // "/bin/bash"
}

#[test]
fn utf16_encodings_before_base64() {
    // utf16le("cmd") = 63 00 6d 00 64 00 -> YwBtAGQA
    let le = det("sel:\n    data|utf16le|base64|contains: 'cmd'\ncondition: sel");
    assert!(hit(&le, json!({"data": "..YwBtAGQA.."})));
    assert!(!hit(&le, json!({"data": "Y21k"})));
    let wide = det("sel:\n    data|wide|base64: 'cmd'\ncondition: sel");
    assert!(hit(&wide, json!({"data": "YwBtAGQA"})));
    // utf16be("cmd") = 00 63 00 6d 00 64 -> AGMAbQBk
    let be = det("sel:\n    data|utf16be|base64: 'cmd'\ncondition: sel");
    assert!(hit(&be, json!({"data": "AGMAbQBk"})));
    assert!(!hit(&be, json!({"data": "YwBtAGQA"})));
    // utf16("cmd") = FF FE 63 00 6d 00 64 00 -> //5jAG0AZAA=
    let bom = det("sel:\n    data|utf16|base64: 'cmd'\ncondition: sel");
    assert!(hit(&bom, json!({"data": "//5jAG0AZAA="})));
    assert!(!hit(&bom, json!({"data": "YwBtAGQA"})));
    // base64offset of utf16le: "cmd" after one byte.
    let off = det("sel:\n    data|utf16le|base64offset|contains: 'cmd'\ncondition: sel");
    assert!(hit(&off, json!({"data": "YwBtAGQA"})));
    assert!(!hit(&off, json!({"data": "Y21k"})));
    assert!(is_unsupported(
        &det_err("sel:\n    data|utf16le: 'cmd'\ncondition: sel"),
        "utf16le"
    ));
    assert!(is_unsupported(
        &det_err("sel:\n    data|wide|contains: 'cmd'\ncondition: sel"),
        "utf16le"
    ));
}
