//! The direct writer against the sanitizer: the same bytes for every body
//! it writes, fixed cases for each construct and generated ones.

use proptest::prelude::*;

use super::{direct, markdown_html, parser, sanitized_html};

/// The body's HTML by the direct writer, checked against the sanitizer's.
fn direct_html(md: &str) -> Option<String> {
    let direct = direct::render(md, parser(md));
    if let Some(html) = &direct {
        assert_eq!(html, &sanitized_html(md), "for {md:?}");
    }
    direct
}

/// A body the direct writer must take, and what it gives.
fn same(md: &str) -> String {
    direct_html(md).unwrap_or_else(|| panic!("left to the sanitizer: {md:?}"))
}

#[test]
fn plain_markdown_is_written_directly_and_as_the_sanitizer_does() {
    for md in [
        "Hello *there* **you** ~~gone~~ `co<d>e & \"q\" 'a'`",
        "# One\n## Two\n###### Six\n\nSetext\n======\n\nand\n---\n",
        "- a\n- b\n  - c\n    1. d\n    2. e\n\n5. five\n6. six\n",
        "- loose\n\n- list\n\n  with para\n",
        "- [ ] open\n- [x] done\n  - [X] nested done\n",
        "| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| a |\n",
        "| only | head |\n|---|---|\n",
        "Text.[^a] More[^b] again[^a]\n\n[^a]: First *note*.\n[^b]: Second\n    > quoted\n",
        "```rust\nfn main() { \"<>&'\u{a0}\" }\n```\n\n    indented <code>\n",
        "~~~\nno lang\n~~~\n",
        "> quote\n> > nested\n>\n> - list\n",
        "line one  \nline two\\\nline three\nsoft",
        "***\n\n___\n\ntext\n***\n",
        "&amp; &nbsp; &#39; &copy; &lt;b&gt; &quot; &#x27; &#0; &bogus; AT&T a\u{a0}b",
        "caf\u{e9} \u{65e5}\u{672c} \u{1f600} \u{202e}rtl \u{feff}bom \u{1} ctl",
        "<https://example.com/a?b=1&c=2> and <jane@example.com>",
        "![logo](img/logo.png \"The \\\"logo\\\"\") ![far](https://x.example/t.png)",
        "![](https://x.example/t.png \"title\") ![*em* `c` [l](u) ![i](j)](../a.png)",
        "[![img](a.png)](https://example.com)",
        "[a](<url with spaces> 'it\\'s') [b](/abs?q=\"x\"&y=z>w) [c](#frag)",
        "[Jane](jane-doe.html) and [x](javascript:alert(1)) [y](JaVaScRiPt:alert(1))",
        "[d](data:text/html;base64,AAAA) [p](//evil.example/x) [b](https:\\\\evil.example)",
        "[b2](\\\\evil.example) [f](ftp://x.example) [t](tel:123) [m](mailto:a@b.c)",
        "[e](http://) [v](http://[::1) [r]() [s](a:b) [u](https://ex\u{e4}mple.com/\u{e9})",
        "![j](javascript:alert(1)) ![d](data:image/png;base64,AAAA) ![r]() ![p](//h/x.png)",
        "![a](?') ![q](?x) ![h](#x) ![t](x.png \"t&<>\u{a0}\\\"'\")",
        "[t](u \"title & <stuff> \u{a0} \\\"q\\\" 'a'\") [t2](u 'sin\"gle') [t3](u (paren))",
        "[ref link][r] and [r]\n\n[r]: https://example.com/ref \"Ref\"\n",
        "* *a **b** c*\n* __d__ _e_ ***f***",
        "\\*not em\\* \\[not link\\] 1\\. \\# \\<x\\>",
        "a\n\n\n\nb\n\n    \n\nc",
        "[^a b]: spaced label\n\nref[^a b]\n",
        "[^x\"<y>&]: odd label\n\nref[^x\"<y>&]\n",
        "[a](u) <https://x.example> [b <c@x.example](u)",
        "Fees.[^fees]\n\n[^fees]: Agreed in 2021.",
        "0. zero\n\n123456789. big\n",
        "~one~ ~~two~~ ~~~three~~~",
        "\tcode\twith tabs\n\ntext\twith tab",
        "ctl \u{b}\u{c}\u{7f}\u{80}\u{9f} nonchar \u{fdd0}\u{fffe}\u{ffff}\u{10ffff}",
        "[a](&amp;x) [b](&#x6A;avascript:alert(1)) [c](java&#09;script:x) [d](%6Aavascript:x)",
        "[e](<javascript:alert(1)>) [f]( javascript:x ) [g](\\javascript:x) [h](MAILTO:a@b.c)",
        "![i](&#x2F;&#x2F;evil.example/x.png) ![j](HTTPS:x.png) ![k](/ok.png) ![l](a%3Ab.png)",
        "# Heading with `code` and [link](u) #\n\n| *a* | [b](https://x) |\n|---|---|\n| `c` | ![d](e.png) |",
        "[link[^1]](https://example.com)\n\n[^1]: note",
    ] {
        same(md);
    }
}

#[test]
fn the_sanitizer_spelling_is_reproduced() {
    assert_eq!(
        same("- [x] done\n- [ ] open\n"),
        "<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\">\ndone</li>\n\
         <li><input disabled=\"\" type=\"checkbox\">\nopen</li>\n</ul>\n"
    );
    assert_eq!(same("a  \nb\n\n---\n"), "<p>a<br>\nb</p>\n<hr>\n");
    assert_eq!(
        same("[x](https://a.example/?a=1&b='2' \"t\\\"\") [y](javascript:alert(1))"),
        "<p><a href=\"https://a.example/?a=1&amp;b='2'\" title=\"t&quot;\" \
         rel=\"noopener noreferrer\">x</a> <a rel=\"noopener noreferrer\">y</a></p>\n"
    );
    // The filter that drops `src` moves the last attribute in its place.
    assert_eq!(
        same("![a](https://x.example/t.png \"t\") ![b](b.png)"),
        "<p><img title=\"t\" alt=\"a\"> <img src=\"b.png\" alt=\"b\"></p>\n"
    );
    assert_eq!(
        same("```sh\n<&>\"\u{a0}\n```"),
        "<pre><code>&lt;&amp;&gt;\"&nbsp;\n</code></pre>\n"
    );
    assert_eq!(
        same("| a |\n|:-:|\n| b |"),
        "<table><thead><tr><th style=\"text-align: center\">a</th></tr></thead><tbody>\n\
         <tr><td style=\"text-align: center\">b</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn what_the_direct_writer_cannot_reproduce_goes_to_the_sanitizer() {
    let deep = format!("{}x", "> ".repeat(60));
    let long_text = format!("{}&", "word ".repeat(500));
    let long_code = format!("```\n{}\n```", "a & b ".repeat(400));
    for md in [
        "raw <b>html</b> inline",
        "<div>\nblock html\n</div>",
        "<!-- comment -->",
        "![alt <b>x</b>](a.png)",
        "[a <https://x.example> b](u)",
        "[a <j@x.example>](u)",
        "line\r\nends\r\n",
        "nul \0 char",
        deep.as_str(),
        long_text.as_str(),
        long_code.as_str(),
    ] {
        assert_eq!(direct_html(md), None, "for {md:?}");
        assert_eq!(markdown_html(md), sanitized_html(md));
    }
    // Just under the depth the sanitizer's path caps, still direct.
    same(&format!("{}x", "> ".repeat(46)));
}

/// Inline Markdown: words, marks, code, links, images, breaks, entities.
fn inline() -> BoxedStrategy<String> {
    let word = prop_oneof![
        4 => "[a-z]{1,8}",
        1 => Just("caf\u{e9}".to_string()),
        1 => Just("\u{65e5}\u{672c}\u{8a9e}".to_string()),
        1 => Just("\u{1f600}".to_string()),
        1 => Just("a\u{a0}b".to_string()),
        1 => Just("<>&\"'".to_string()),
        1 => Just("AT&T".to_string()),
        1 => "[&<>\"'*_~`\\\\\\[\\]()!#|:. a-z\u{a0}]{1,6}",
        1 => prop::sample::select(vec![
            "&amp;", "&nbsp;", "&#39;", "&copy;", "&lt;", "&gt;", "&quot;", "&#x27;",
            "&#160;", "&bogus;", "&#0;", "&#x1F600;",
        ]).prop_map(str::to_string),
    ];
    let url = prop_oneof![
        prop::sample::select(vec![
            "https://example.com/a?b=1&c=2",
            "http://example.com",
            "HTTPS://EXAMPLE.COM/X",
            "mailto:jane@example.com",
            "jane-doe.html",
            "../img/logo.png",
            "img/a b.png",
            "/abs/path",
            "#frag",
            "?q=1",
            "",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java%0ascript:alert(1)",
            "data:text/html;base64,AAAA",
            "data:image/png;base64,AAAA",
            "//evil.example/x",
            "https:\\\\evil.example",
            "\\\\evil.example\\x",
            "https:evil.example/t.png",
            "ftp://example.com",
            "tel:123",
            "a:b",
            "http://",
            "http://[::1",
            "https://ex\u{e4}mple.com/\u{e9}",
            "caf\u{e9}.html",
            "x'y\"z<w>.html",
            "vbscript:msgbox",
        ])
        .prop_map(str::to_string),
        "[a-z:/\\\\#?&'.%]{0,12}",
    ];
    let title = prop_oneof![
        3 => Just(String::new()),
        1 => Just(" \"plain title\"".to_string()),
        1 => Just(" \"with \\\"quotes\\\" & <b>\u{a0}\"".to_string()),
        1 => Just(" 'it\\'s'".to_string()),
        1 => Just(" (paren \"x\")".to_string()),
    ];
    let dest = (url, title).prop_map(|(u, t)| {
        if u.contains([' ', '(', ')', '<', '>']) || u.is_empty() {
            format!("<{}>{t}", u.replace(['<', '>'], ""))
        } else {
            format!("{u}{t}")
        }
    });
    let leaf = prop_oneof![
        6 => word.clone(),
        1 => word.clone().prop_map(|w| format!("`{w}`")),
        1 => Just("`` a `b` <&>\"\u{a0} ``".to_string()),
        1 => Just("  \n".to_string()),
        1 => Just("\\\n".to_string()),
        1 => Just("\n".to_string()),
        1 => "[a-c]".prop_map(|n| format!("[^{n}]")),
        1 => prop::sample::select(vec![
            "<https://example.com/a?b&c>",
            "<mailto:jane@example.com>",
            "<jane@example.com>",
            "<javascript:alert(1)>",
        ])
        .prop_map(str::to_string),
        1 => (word.clone(), dest.clone()).prop_map(|(w, d)| format!("![{w}]({d})")),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        let words = prop::collection::vec(inner, 1..5).prop_map(|v| v.join(" "));
        prop_oneof![
            3 => words.clone(),
            1 => words.clone().prop_map(|w| format!("*{w}*")),
            1 => words.clone().prop_map(|w| format!("_{w}_")),
            1 => words.clone().prop_map(|w| format!("**{w}**")),
            1 => words.clone().prop_map(|w| format!("~~{w}~~")),
            1 => words.clone().prop_map(|w| format!("***{w}***")),
            // An autolink in a link's text would nest links, which the
            // HTML parser takes apart: that is the sanitizer's path, so
            // keep most link texts free of them.
            1 => (words.clone(), dest.clone())
                .prop_map(|(w, d)| format!("[{}]({d})", w.replace('<', "\\<"))),
            1 => (words, dest.clone()).prop_map(|(w, d)| format!("![{w}]({d})")),
        ]
    })
    .boxed()
}

/// A line of inline Markdown (no line breaks, for tables and headings).
fn line() -> BoxedStrategy<String> {
    prop::collection::vec(inline(), 1..4)
        .prop_map(|v| v.join(" ").replace('\n', " "))
        .boxed()
}

/// Block Markdown: paragraphs, headings, lists, tables, code, quotes,
/// footnote definitions, rules.
fn block() -> impl Strategy<Value = String> {
    let para = prop::collection::vec(inline(), 1..5)
        .prop_map(|v| v.join(" "))
        .boxed();
    let heading = (1..7usize, line()).prop_map(|(n, l)| format!("{} {l}", "#".repeat(n)));
    let align = prop::sample::select(vec!["---", ":--", ":-:", "--:"]);
    let table = (1..4usize)
        .prop_flat_map(move |cols| {
            (
                prop::collection::vec(line(), cols),
                prop::collection::vec(align.clone(), cols),
                prop::collection::vec(prop::collection::vec(line(), 0..=cols + 1), 0..4),
            )
        })
        .prop_map(|(head, aligns, rows)| {
            let cell = |s: &String| s.replace('|', "\\|");
            let mut t = format!(
                "| {} |\n",
                head.iter().map(cell).collect::<Vec<_>>().join(" | ")
            );
            t.push_str(&format!("|{}|\n", aligns.join("|")));
            for row in rows {
                t.push_str(&format!(
                    "| {} |\n",
                    row.iter().map(cell).collect::<Vec<_>>().join(" | ")
                ));
            }
            t
        });
    let code = (
        prop::sample::select(vec!["", "rust", "sh {.x}", "<b>"]),
        prop::collection::vec(
            prop_oneof![
                "[ -~]{0,20}",
                Just("<>&\"'\u{a0}".to_string()),
                Just("\u{e9}\u{65e5}".to_string())
            ],
            0..4,
        ),
    )
        .prop_map(|(lang, lines)| {
            format!("```{lang}\n{}\n```", lines.join("\n").replace("```", "``"))
        });
    let indented = "[ -~]{1,20}".prop_map(|l| format!("    {l}\n    <&>\"\u{a0}"));
    let footnote = ("[a-c]", para.clone()).prop_map(|(n, p)| format!("[^{n}]: {p}"));
    let rule = prop::sample::select(vec!["---", "***", "___", "- - -"]).prop_map(str::to_string);
    let leaf = prop_oneof![
        6 => para,
        2 => heading,
        2 => table,
        1 => code,
        1 => indented,
        2 => footnote,
        1 => rule,
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        let items = prop::collection::vec(
            (
                prop::sample::select(vec!["", "[ ] ", "[x] ", "[X] "]),
                prop::collection::vec(inner.clone(), 1..3),
            ),
            1..4,
        );
        prop_oneof![
            // Block quotes.
            prop::collection::vec(inner, 1..3).prop_map(|blocks| {
                blocks
                    .join("\n\n")
                    .lines()
                    .map(|l| format!("> {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            // Lists: bullet or numbered, tight or loose, with task boxes.
            (
                prop::sample::select(vec!["- ", "* ", "1. ", "3. "]),
                any::<bool>(),
                items
            )
                .prop_map(|(marker, loose, items)| {
                    let indent = " ".repeat(marker.len());
                    let mut out = String::new();
                    for (task, blocks) in items {
                        let body = format!("{task}{}", blocks.join("\n\n"));
                        for (i, l) in body.lines().enumerate() {
                            if i == 0 {
                                out.push_str(marker);
                            } else if !l.is_empty() {
                                out.push_str(&indent);
                            }
                            out.push_str(l);
                            out.push('\n');
                        }
                        if loose {
                            out.push('\n');
                        }
                    }
                    out
                }),
        ]
    })
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 1..6).prop_map(|v| v.join("\n\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn generated_bodies_give_the_sanitizer_output(md in body()) {
        let direct = direct::render(&md, parser(&md));
        if let Some(html) = direct {
            prop_assert_eq!(html, sanitized_html(&md), "for {:?}", md);
        }
    }
}

/// Most generated bodies take the direct path, so the property above
/// tests it and not only the fallback.
#[test]
fn generated_bodies_mostly_take_the_direct_path() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = body();
    let mut direct = 0;
    for _ in 0..500 {
        let md = strategy.new_tree(&mut runner).unwrap().current();
        if direct_html(&md).is_some() {
            direct += 1;
        } else if std::env::var("SHOW_FALLBACK").is_ok() {
            eprintln!("FALLBACK {md:?}");
        }
    }
    assert!(direct > 350, "{direct} of 500 direct");
}
