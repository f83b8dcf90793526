//! The built site, checked the way a user would: links resolve, nothing
//! comes from another host, every page is private, templates can be
//! replaced, a broken template leaves the site alone, and a redacted site
//! holds no client name.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use rapport::pipeline::stages::{Options, Pipeline};
use sample::{build, build_ok, built_sample, sample};

/// A copy of the sample book to change.
fn book_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    files::copy_dir(&sample(), dir.path());
    let _ = fs::remove_dir_all(dir.path().join("public"));
    dir
}

/// Puts `text` in the book's own `templates/NAME`.
fn book_template(book: &Path, name: &str, text: &str) {
    fs::create_dir_all(book.join("templates")).unwrap();
    fs::write(book.join("templates").join(name), text).unwrap();
}

fn pages(dir: &Path) -> Vec<(String, String)> {
    files::files_under(dir)
        .into_iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
        .collect()
}

/// The values of `attr="…"` in a page.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let end = after.find('"').unwrap();
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

fn is_external(url: &str) -> bool {
    url.starts_with("//") || url.contains("://") || url.starts_with("mailto:")
}

fn note_slugs() -> Vec<String> {
    let mut slugs = Vec::new();
    fn walk(dir: &Path, slugs: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, slugs);
            } else if p.extension().is_some_and(|x| x == "md")
                && !fs::read_to_string(&p).unwrap().contains("\ndraft: true")
            {
                // Drafts stay out of the site.
                slugs.push(p.file_stem().unwrap().to_string_lossy().to_lowercase());
            }
        }
    }
    walk(&sample().join("partners"), &mut slugs);
    slugs.sort();
    slugs
}

#[test]
fn every_relative_link_resolves_to_a_file_of_the_site() {
    let dir = built_sample();
    let mut checked = 0;
    for (page, html) in pages(dir.path()) {
        let base = Path::new(&page).parent().unwrap().to_path_buf();
        for url in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if is_external(url) || url.starts_with('#') {
                continue;
            }
            assert!(!url.starts_with('/'), "{page}: absolute link {url}");
            let path = url.split(['#', '?']).next().unwrap();
            let target = dir.path().join(&base).join(path);
            assert!(target.is_file(), "{page}: {url} does not resolve");
            checked += 1;
        }
    }
    // Navigation, stylesheet and partner links on every page.
    assert!(checked > 200, "only {checked} links checked");
}

#[test]
fn nothing_is_loaded_from_another_host() {
    let dir = built_sample();
    for (page, html) in pages(dir.path()) {
        for url in attr_values(&html, "src") {
            assert!(!is_external(url), "{page}: src from another host: {url}");
        }
        // Stylesheets, scripts, icons, preloads: every <link> and <script>.
        for tag in ["<link ", "<script "] {
            for (i, _) in html.match_indices(tag) {
                let end = html[i..].find('>').unwrap();
                let element = &html[i..i + end];
                for url in attr_values(element, "href")
                    .into_iter()
                    .chain(attr_values(element, "src"))
                {
                    assert!(!is_external(url), "{page}: {element}");
                }
            }
        }
        assert!(!html.contains("@import"), "{page} imports");
    }
    let css = fs::read_to_string(dir.path().join("style.css")).unwrap();
    assert!(!css.contains("url("), "the stylesheet loads nothing");
    assert!(!css.contains("@import"));
}

#[test]
fn every_page_says_noindex() {
    let dir = built_sample();
    let pages = pages(dir.path());
    assert_eq!(pages.len(), 4 + note_slugs().len());
    for (page, html) in pages {
        assert!(
            html.contains(r#"<meta name="robots" content="noindex, nofollow">"#),
            "{page} lacks noindex"
        );
    }
}

#[test]
fn every_partner_has_a_page_listed_in_the_table() {
    let dir = built_sample();
    let index = fs::read_to_string(dir.path().join("partners/index.html")).unwrap();
    let slugs = note_slugs();
    assert_eq!(slugs.len(), 16);
    for slug in &slugs {
        assert!(
            dir.path().join(format!("partners/{slug}.html")).is_file(),
            "{slug}"
        );
        assert!(
            index.contains(&format!("href=\"{slug}.html\"")),
            "{slug} not listed"
        );
    }
    for page in [
        "index.html",
        "reports/reciprocity.html",
        "reports/readiness.html",
        "style.css",
        "data/partners.json",
        "data/referrals.csv",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
}

#[test]
fn the_pages_answer_the_advisors_questions() {
    let dir = built_sample();
    let index = fs::read_to_string(dir.path().join("index.html")).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("data/partners.json")).unwrap()).unwrap();
    for p in json.as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let slug = p["slug"].as_str().unwrap();
        let link = format!("href=\"partners/{slug}.html\">{name}</a>");
        // Who sends me nothing back, who only sends: named on the dashboard.
        if p["one_way"].as_bool().unwrap() {
            assert!(index.contains(&link), "one-way {name} not on the dashboard");
        }
        if p["readiness"]["stage"] == "ready-for-discovery" {
            assert!(index.contains(&link), "ready {name} not on the dashboard");
        }
    }
    // Each partner page carries its stage's next action and six criteria.
    let page = fs::read_to_string(dir.path().join("partners/beatrice-nolan.html")).unwrap();
    assert_eq!(
        page.matches("class=\"met\"").count() + page.matches("class=\"unmet\"").count(),
        6
    );
    assert!(page.contains("What to do next"));
    // The readiness report lists the stages in the order of the path,
    // then the side-tracks; the sample book has a partner in each.
    let report = fs::read_to_string(dir.path().join("reports/readiness.html")).unwrap();
    let order = [
        "id=\"building-track-record\"",
        "id=\"expert-provider\"",
        "id=\"ready-for-discovery\"",
        "id=\"discovery-undecided\"",
        "id=\"design-net-new\"",
        "id=\"collaborating\"",
        "id=\"declined\"",
        "id=\"not-a-fit\"",
        "id=\"dormant\"",
    ];
    let stages: std::collections::BTreeSet<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["readiness"]["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages.len(), 9, "{stages:?}");
    // The partner table sorts stages by the ladder, not alphabetically.
    let table = fs::read_to_string(dir.path().join("partners/index.html")).unwrap();
    let ladder = [
        "dormant",
        "not-a-fit",
        "building-track-record",
        "expert-provider",
        "declined",
        "ready-for-discovery",
        "discovery-undecided",
        "design-net-new",
        "collaborating",
    ];
    for (rank, stage) in ladder.iter().enumerate() {
        let cell = format!("data-sort=\"{rank}\"><span class=\"stage stage-{stage}\">");
        assert!(table.contains(&cell), "{cell}");
    }
    let at: Vec<usize> = order.iter().map(|s| report.find(s).expect(s)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
}

#[test]
fn charts_carry_a_title_and_a_description() {
    let dir = built_sample();
    let mut charts = 0;
    for (page, html) in pages(dir.path()) {
        for (i, _) in html.match_indices("<svg") {
            let head = &html[i..(i + 600).min(html.len())];
            assert!(head.contains("role=\"img\""), "{page}");
            assert!(head.contains("<title"), "{page}: chart without title");
            assert!(head.contains("<desc"), "{page}: chart without desc");
            charts += 1;
        }
    }
    // 2 on the dashboard, 5 on reciprocity (v2 adds net-new by partner),
    // 1 on readiness, 1 per partner.
    assert_eq!(charts, 2 + 5 + 1 + note_slugs().len());
}

#[test]
fn wiki_links_become_relative_links_and_unknown_ones_warn() {
    let dir = built_sample();
    let amara = fs::read_to_string(dir.path().join("partners/amara-nwosu.html")).unwrap();
    assert!(
        amara.contains("<a href=\"ruth-abernathy.html\""),
        "[[Ruth Abernathy]] not linked"
    );

    let book = book_copy();
    let note = book.path().join("partners/amara-nwosu.md");
    let text = fs::read_to_string(&note).unwrap();
    let text = text.replace(
        "introduced us.",
        "introduced us.\nSee also [[Nobody Known]].",
    );
    fs::write(&note, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = build(book.path(), out.path());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("Nobody Known"), "{stderr}");
    assert!(stderr.contains("partners/amara-nwosu.md"), "{stderr}");
    let line = fs::read_to_string(&note)
        .unwrap()
        .lines()
        .position(|l| l.contains("[[Nobody Known]]"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!("amara-nwosu.md:{line}:")),
        "line {line} not named: {stderr}"
    );
    let page = fs::read_to_string(out.path().join("partners/amara-nwosu.html")).unwrap();
    assert!(page.contains("See also Nobody Known."));
}

#[test]
fn a_book_template_replaces_the_built_in_one() {
    let book = book_copy();
    book_template(book.path(), "index.html", "{% extends \"base.html\" %}{% block content %}<p id=\"mine\">My own dashboard for {{ site.title }}</p>{% endblock %}");
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let index = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(index.contains("<p id=\"mine\">My own dashboard for Referral partners"));
    // The other pages keep the built-in templates.
    let partner = fs::read_to_string(out.path().join("partners/lena-park.html")).unwrap();
    assert!(partner.contains("Collaboration readiness"));
}

/// The two tables that list every partner take their lines from a
/// template of their own, which a book can replace like any other: in a
/// first build and in a rebuild that keeps the other partners' lines.
#[test]
fn a_book_row_template_draws_every_line_of_its_table() {
    use rapport::pipeline::session::{Rebuild, Session};
    let book = book_copy();
    book_template(
        book.path(),
        "partners-row.html",
        "<tr class=\"mine\"><td>{{ p.name }} ({{ p.given }} given)\n",
    );
    let out = tempfile::tempdir().unwrap();
    let opts = Options {
        root: book.path().to_path_buf(),
        output: Some(out.path().to_path_buf()),
        ..Options::default()
    };
    let mut session = Session::new(&opts);
    assert!(matches!(
        session.rebuild(&Default::default()),
        Rebuild::Built { .. }
    ));
    let table = || fs::read_to_string(out.path().join("partners/index.html")).unwrap();
    let partners = fs::read_dir(book.path().join("partners"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "md")
        })
        .count();
    assert!(partners > 0);
    let mine = |page: &str| page.matches("<tr class=\"mine\"><td>").count();
    assert!(
        mine(&table()) >= partners,
        "not every line drawn by the book's template:\n{}",
        table()
    );
    assert!(table().contains("<td>Lena Park ("), "{}", table());
    // The reciprocity report's table keeps the built-in lines.
    let report = fs::read_to_string(out.path().join("reports/reciprocity.html")).unwrap();
    assert!(report.contains("<tr><td><a href=\"../partners/lena-park.html\">Lena Park</a>"));

    let lines = mine(&table());
    // Renamed under watch: that line is drawn again, the others kept.
    let note = book.path().join("partners/lena-park.md");
    let text = fs::read_to_string(&note).unwrap();
    fs::write(
        &note,
        text.replace("name: Lena Park", "name: Lena Park-Ortiz"),
    )
    .unwrap();
    let outcome = session.rebuild_changed(&[note].into_iter().collect());
    assert!(
        matches!(outcome, Rebuild::Built { .. }),
        "{:?}",
        outcome.problems()
    );
    let after = table();
    assert!(after.contains("<td>Lena Park-Ortiz ("), "{after}");
    assert!(!after.contains("<td>Lena Park ("), "{after}");
    assert_eq!(mine(&after), lines);

    // A broken line template is named with its line, and nothing is written.
    let before = files::files_under(out.path());
    book_template(
        book.path(),
        "reciprocity-row.html",
        "<tr><td>{{ p.name }}\n<td>{{ p.nothing.here }}\n",
    );
    fails_at_template(book.path(), out.path(), &before, "reciprocity-row.html", 2);
}

/// A book's own table page that loops over `partners`, as page templates
/// did before the lines had templates of their own, still lists everyone
/// in the table's order.
#[test]
fn a_book_table_page_still_gets_every_partner_as_data() {
    let book = book_copy();
    book_template(
        book.path(),
        "reciprocity.html",
        "{% for p in partners %}<li>{{ p.name }}: {{ p.balance }}</li>\n{% endfor %}",
    );
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let page = fs::read_to_string(out.path().join("reports/reciprocity.html")).unwrap();
    let data: serde_json::Value =
        serde_json::from_slice(&fs::read(out.path().join("data/partners.json")).unwrap()).unwrap();
    let names: Vec<&str> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(page.matches("<li>").count(), names.len(), "{page}");
    for name in names {
        assert!(
            page.contains(&format!("<li>{name}: ")),
            "{name} missing: {page}"
        );
    }
    // By balance, as the built-in table: the partners you only give to first.
    assert!(
        page.starts_with("<li>") && page.contains(": -1.00</li>"),
        "{page}"
    );
    let first = page.lines().next().unwrap();
    assert!(first.ends_with(": -1.00</li>"), "{first}");
}

#[test]
fn a_broken_template_fails_the_build_and_leaves_the_site_alone() {
    let book = book_copy();
    let out = tempfile::tempdir().unwrap();
    assert!(build(book.path(), out.path()).status.success());
    let before = files::files_under(out.path());

    book_template(book.path(), "partner.html", "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ partner.p.name }</h1>\n{% endblock %}\n");
    // Change a note too, so a write would show.
    let note = book.path().join("partners/lena-park.md");
    let text = fs::read_to_string(&note).unwrap();
    fs::write(
        &note,
        text.replace("name: Lena Park", "name: Lena Park-Ortiz"),
    )
    .unwrap();
    fails_at_template(book.path(), out.path(), &before, "partner.html", 3);
}

/// Builds `book` into `out`: the build fails, names the book's template
/// `name` and its `line`, and leaves the site at `out` as `before`.
fn fails_at_template(
    book: &Path,
    out: &Path,
    before: &BTreeMap<String, Vec<u8>>,
    name: &str,
    line: u32,
) {
    let run = build(book, out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("templates/{name}")), "{stderr}");
    assert!(
        stderr.contains(&format!("{name}:{line}:")),
        "line not named: {stderr}"
    );
    assert_eq!(
        &files::files_under(out),
        before,
        "the previous site changed"
    );
}

/// Client names as written in the notes' `client:` lines.
fn client_names(book: &Path) -> Vec<String> {
    let mut names = Vec::new();
    fn walk(dir: &Path, names: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, names);
            } else if p.extension().is_some_and(|x| x == "md") {
                for line in fs::read_to_string(&p).unwrap().lines() {
                    if let Some(v) = line.trim().strip_prefix("client:") {
                        let v = v.trim().trim_matches('"').trim_matches('\'').trim();
                        if !v.is_empty() {
                            names.push(v.to_string());
                        }
                    }
                }
            }
        }
    }
    walk(&book.join("partners"), &mut names);
    names.sort();
    names.dedup();
    names
}

#[test]
fn a_redacted_site_holds_no_client_name() {
    let book = book_copy();
    let names = client_names(book.path());
    assert!(names.len() > 20, "{names:?}");
    // Mention a client in free text too: a body, a referral note.
    let note = book.path().join("partners/lena-park.md");
    let text = fs::read_to_string(&note).unwrap();
    // A name broken over two lines, and one in the tags.
    let wrapped = names
        .iter()
        .find(|n| n.contains(' '))
        .unwrap()
        .replacen(' ', "\n", 1);
    let text = text.replacen("tags: [", &format!("tags: [{}, ", names[2]), 1);
    assert!(text.contains(names[2].as_str()));
    fs::write(
        &note,
        format!("{text}\nAsk about {} again, and {wrapped}.\n", names[0]),
    )
    .unwrap();
    // And in a referral note, which the data files carry.
    let note = book.path().join("partners/maya-okafor.md");
    let text = fs::read_to_string(&note).unwrap();
    assert!(text.contains("\n    note: "));
    fs::write(
        &note,
        text.replacen(
            "\n    note: ",
            &format!("\n    note: {} said ", names[1]),
            1,
        ),
    )
    .unwrap();

    let plain = tempfile::tempdir().unwrap();
    assert!(build(book.path(), plain.path()).status.success());
    let all: String = files::files_under(plain.path())
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        names.iter().any(|n| all.contains(n.as_str())),
        "clients shown when not redacted"
    );

    let settings = book.path().join("rapport.yaml");
    let yaml = fs::read_to_string(&settings).unwrap();
    assert!(yaml.contains("redact_clients: false"));
    fs::write(
        &settings,
        yaml.replace("redact_clients: false", "redact_clients: true"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let site = files::files_under(out.path());
    assert!(site.len() > 20);
    for (path, bytes) in site {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for name in &names {
            assert!(!text.contains(&name.to_lowercase()), "{name} in {path}");
        }
    }
}

#[test]
fn a_book_static_folder_is_copied_as_is() {
    let book = book_copy();
    fs::create_dir_all(book.path().join("static/img")).unwrap();
    fs::write(book.path().join("static/img/logo.svg"), "<svg/>").unwrap();
    fs::write(book.path().join("static/index.html"), "not mine").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = build_ok(book.path(), out.path());
    assert_eq!(
        fs::read(out.path().join("img/logo.svg")).unwrap(),
        b"<svg/>"
    );
    // A page rapport writes wins over a static file of the same name.
    assert!(String::from_utf8_lossy(&run.stderr).contains("static/index.html"));
    assert_ne!(
        fs::read(out.path().join("index.html")).unwrap(),
        b"not mine"
    );
}

#[test]
fn a_rebuild_after_one_change_renders_one_partner_page_and_matches_a_fresh_build() {
    let book = book_copy();
    let opts = Options {
        root: book.path().to_path_buf(),
        output: Some(book.path().join("public")),
        ..Options::default()
    };
    let mut pipeline = Pipeline::new();
    let first = pipeline.run(&opts).expect("builds");
    assert_eq!(pipeline.pages_rendered_last(), 16);
    // v2 adds data/calendar.ics to the book-wide files, and the pages'
    // script is a file of its own (site.js); v3 the periods, the search
    // index and the search box's script.
    assert_eq!(pipeline.book_files_rendered_last(), 12);
    let again = pipeline.run(&opts).expect("builds");
    assert_eq!(pipeline.pages_rendered_last(), 0);
    assert_eq!(pipeline.book_files_rendered_last(), 0);
    assert_eq!(first.files, again.files);

    let note = book.path().join("partners/lena-park.md");
    let text = fs::read_to_string(&note).unwrap();
    fs::write(&note, format!("{text}\nOne more line about Lena.\n")).unwrap();
    let changed = pipeline.run(&opts).expect("builds");
    assert_eq!(pipeline.pages_rendered_last(), 1);
    // Free text shows on the partner's own page and in the search index,
    // a book-wide file joined from each partner's part: only it is made
    // again.
    assert_eq!(pipeline.book_files_rendered_last(), 1);
    assert!(String::from_utf8_lossy(&changed.files["data/search.js"])
        .contains("One more line about Lena."));
    let fresh = Pipeline::new().run(&opts).expect("builds");
    assert_eq!(changed.files, fresh.files);
    assert_ne!(changed.files, first.files);
    let page = String::from_utf8_lossy(&changed.files["partners/lena-park.html"]).into_owned();
    assert!(page.contains("One more line about Lena."));

    // Her profession shows in the partner table and the reports: the
    // book-wide files are rendered again, and still match a fresh build.
    let text = fs::read_to_string(&note).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("profession:"))
        .unwrap();
    lines[at] = "profession: Benefits broker".into();
    fs::write(&note, lines.join("\n") + "\n").unwrap();
    let retitled = pipeline.run(&opts).expect("builds");
    assert_eq!(pipeline.pages_rendered_last(), 1);
    // v2 adds data/calendar.ics to the book-wide files, and the pages'
    // script is a file of its own (site.js); v3 the periods, the search
    // index and the search box's script.
    assert_eq!(pipeline.book_files_rendered_last(), 12);
    assert!(
        String::from_utf8_lossy(&retitled.files["partners/index.html"]).contains("Benefits broker")
    );
    assert_eq!(
        retitled.files,
        Pipeline::new().run(&opts).expect("builds").files
    );

    // Lena's note names a partner the book does not have yet: a warning,
    // and plain text.
    let text = fs::read_to_string(&note).unwrap();
    fs::write(&note, format!("{text}\nIntroduced me to [[Zoe New]].\n")).unwrap();
    let warned = pipeline.run(&opts).expect("builds");
    assert_eq!(pipeline.pages_rendered_last(), 1);
    assert!(warned
        .warnings
        .iter()
        .any(|w| w.message.contains("Zoe New")));
    // Zoe arrives: her page, and Lena's (whose link now resolves), are
    // rendered; the other pages' links resolve as before.
    fs::write(
        book.path().join("partners/zoe-new.md"),
        "---\nname: Zoe New\n---\nMet through [[Lena Park]].\n",
    )
    .unwrap();
    let grown = pipeline.run(&opts).expect("builds");
    assert_eq!(pipeline.pages_rendered_last(), 2);
    assert!(
        String::from_utf8_lossy(&grown.files["partners/lena-park.html"]).contains("zoe-new.html")
    );
    assert_eq!(
        grown.files,
        Pipeline::new().run(&opts).expect("builds").files
    );
}
