//! The invitation to a mutual discovery conversation, drafted for each
//! partner ready for one: the seed's words, personalised with what the
//! book knows, as a `mailto:` link and as text to copy. rapport sends
//! nothing. The wording is the template `invitation.txt`, which a book's
//! own `templates/invitation.txt` replaces.

use serde::Serialize;

use crate::analysis::shared_ideal_clients;
use crate::book::{Direction, Outcome, Partner, Settings};
use crate::diagnostics::Diagnostic;

use super::redact::Scrubber;
use super::templates::Templates;

/// The template's name.
pub const TEMPLATE: &str = "invitation.txt";

/// The subject when the template's first line does not give one.
pub const DEFAULT_SUBJECT: &str = "Bringing in new clients together?";

/// A drafted invitation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Invitation {
    pub subject: String,
    pub body: String,
    /// `mailto:` with the partner's address when it is known, the subject
    /// and the body, percent-encoded.
    pub mailto: String,
}

#[derive(Serialize)]
struct Who<'a> {
    name: &'a str,
    first_name: String,
    firm: Option<String>,
    profession: Option<String>,
}

/// The name to greet a partner by: the first word of the name, or the
/// whole name when it starts with a title ("Dr. Maya Okafor").
fn first_name(name: &str) -> String {
    let name = name.trim();
    match name.split_whitespace().next() {
        Some(w) if !w.ends_with('.') && w.len() > 1 => w.to_string(),
        _ => name.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters; a
/// line break becomes `%0D%0A`, as RFC 6068 asks of a `mailto:` body.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    let normalised = s.replace("\r\n", "\n");
    for b in normalised.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b'\n' => out.push_str("%0D%0A"),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The `mailto:` link: the address (when it is one) with its `@` kept,
/// then the subject and the body.
pub fn mailto(email: Option<&str>, subject: &str, body: &str) -> String {
    let to = email
        .and_then(super::views::mail_link)
        .map(|m| {
            m.trim_start_matches("mailto:")
                .split('@')
                .map(percent_encode)
                .collect::<Vec<_>>()
                .join("@")
        })
        .unwrap_or_default();
    format!(
        "mailto:{to}?subject={}&body={}",
        percent_encode(subject),
        percent_encode(body)
    )
}

/// Splits the template's text into the subject (a first line
/// "Subject: …") and the body.
fn split(text: &str) -> (String, String) {
    let text = text.trim_start_matches(['\n', '\r']);
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    match first.trim().strip_prefix("Subject:") {
        Some(subject) if !subject.trim().is_empty() => {
            (subject.trim().to_string(), rest.trim().to_string())
        }
        _ => (DEFAULT_SUBJECT.to_string(), text.trim().to_string()),
    }
}

/// The invitation to `p`, as the templates word it; with a scrubber, free
/// text is cleaned of client names.
pub fn draft(
    p: &Partner,
    settings: &Settings,
    templates: &Templates,
    scrub: Option<&Scrubber>,
) -> Result<Invitation, Box<Diagnostic>> {
    let clean = |s: &str| match scrub {
        Some(sc) => sc.scrub(s),
        None => s.to_string(),
    };
    let as_of = settings.as_of;
    let given: Vec<_> = p
        .referrals
        .iter()
        .filter(|r| r.direction == Direction::Given && r.date <= as_of)
        .collect();
    let exceeded = given
        .iter()
        .filter(|r| r.outcome() == Outcome::Exceeded)
        .count();
    let since = given.iter().map(|r| r.date).min().map(|d| {
        use chrono::Datelike;
        d.0.year()
    });
    let mut ctx = tera::Context::new();
    ctx.insert(
        "partner",
        &Who {
            name: &p.name,
            first_name: first_name(&p.name),
            firm: p.firm.as_deref().map(clean),
            profession: p.profession.as_deref().map(clean),
        },
    );
    ctx.insert(
        "advisor",
        settings.advisor.name.as_deref().unwrap_or_default(),
    );
    ctx.insert("referred", &given.len());
    ctx.insert("exceeded", &exceeded);
    ctx.insert("since", &since);
    let shared: Vec<String> = shared_ideal_clients(p, settings)
        .into_iter()
        .map(clean)
        .collect();
    ctx.insert("shared", &shared);
    let text = templates.render(TEMPLATE, &ctx)?;
    let (subject, body) = split(&clean(&text));
    Ok(Invitation {
        mailto: mailto(p.email.as_deref(), &subject, &body),
        subject,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_is_percent_encoded_with_crlf_line_breaks() {
        let m = mailto(
            Some("jane@example.com"),
            "Hi & bye?",
            "Line one\nLine 2: 50%",
        );
        assert_eq!(
            m,
            "mailto:jane@example.com?subject=Hi%20%26%20bye%3F&body=Line%20one%0D%0ALine%202%3A%2050%25"
        );
        assert!(mailto(None, "S", "B").starts_with("mailto:?subject=S"));
        assert!(mailto(Some("not an address"), "S", "B").starts_with("mailto:?subject="));
        // Non-ASCII as UTF-8 bytes.
        assert_eq!(percent_encode("é’"), "%C3%A9%E2%80%99");
    }

    #[test]
    fn the_first_line_gives_the_subject() {
        assert_eq!(
            split("\nSubject: Coffee?\n\nDear Jane,\nHello\n"),
            ("Coffee?".to_string(), "Dear Jane,\nHello".to_string())
        );
        assert_eq!(
            split("Dear Jane,\nHello"),
            (DEFAULT_SUBJECT.to_string(), "Dear Jane,\nHello".to_string())
        );
    }

    #[test]
    fn a_partner_is_greeted_by_first_name_unless_titled() {
        assert_eq!(first_name("Jane Doe"), "Jane");
        assert_eq!(first_name("Dr. Maya Okafor"), "Dr. Maya Okafor");
        assert_eq!(first_name("Prince"), "Prince");
    }
}
