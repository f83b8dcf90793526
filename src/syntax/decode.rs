//! A file's bytes to text, and YAML problems to diagnostics: shared by
//! notes, settings and templates.

use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::yaml::YamlProblem;

/// Turns located YAML problems into diagnostics of the whole file.
pub fn yaml_diagnostics(
    file: &str,
    source: &Source,
    first_line: usize,
    problems: Vec<YamlProblem>,
) -> Vec<Diagnostic> {
    problems
        .into_iter()
        .map(|p| {
            let place = source.place(p.line + first_line - 1, p.column, p.width);
            let mut d = Diagnostic::error(file, p.message).at(source, place, p.label);
            if let Some((line, column, width, label)) = p.also {
                d = d.also_at(source.place(line + first_line - 1, column, width), label);
            }
            d.help = p.help;
            d
        })
        .collect()
}

/// Decodes a file's bytes: a leading byte-order mark is dropped; bytes that
/// are not UTF-8 are a problem naming the line and column of the first one.
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let prefix = std::str::from_utf8(good).unwrap_or_default();
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            let source = Source::new(String::from_utf8_lossy(bytes).into_owned());
            let place = source.place(line, column, 1);
            let bad = bytes[e.valid_up_to()];
            Err(Box::new(
                Diagnostic::error(file, "the file is not valid UTF-8 text")
                    .at(
                        &source,
                        place,
                        format!("byte 0x{bad:02X} here is not UTF-8"),
                    )
                    .with_help("save the note as UTF-8 in your editor"),
            ))
        }
    }
}
