//! Every place rapport reads the English wording of a serde or yaml_serde
//! error message. Serde reports problems only as text; the shapes it uses
//! are matched here and nowhere else, and each shape has a test, so that a
//! dependency update that changes the wording fails a test instead of
//! quietly degrading the problems rapport reports.

/// What a serde deserialization message says.
#[derive(Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// ``unknown field `x`, expected one of `a`, `b` ``
    UnknownField {
        field: &'a str,
        expected: Vec<&'a str>,
    },
    /// ``unknown variant `x`, expected one of `a`, `b` ``
    UnknownVariant {
        variant: &'a str,
        expected: Vec<&'a str>,
    },
    /// ``missing field `x` ``
    MissingField { field: &'a str },
    /// `invalid type: string "x", expected u32` (or `invalid value: ...`)
    Invalid { found: &'a str, expected: &'a str },
    /// Anything else, such as a message of rapport's own types.
    Other,
}

/// Everything between backticks in a message.
pub fn backticked(msg: &str) -> Vec<&str> {
    msg.split('`').skip(1).step_by(2).collect()
}

/// Reads a serde message.
pub fn parse(msg: &str) -> Message<'_> {
    let ticks = backticked(msg);
    let first = ticks.first().copied().unwrap_or("");
    let rest: Vec<&str> = ticks.iter().skip(1).copied().collect();
    if msg.starts_with("unknown field") {
        Message::UnknownField {
            field: first,
            expected: rest,
        }
    } else if msg.starts_with("unknown variant") {
        Message::UnknownVariant {
            variant: first,
            expected: rest,
        }
    } else if msg.starts_with("missing field") {
        Message::MissingField { field: first }
    } else if let Some(rest) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
    {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "something else"));
        Message::Invalid { found, expected }
    } else {
        Message::Other
    }
}

/// Whether yaml_serde refused an integer (one too large for any integer
/// type is read as a float-less integer and refused as a type).
pub fn is_integer_refused(msg: &str) -> bool {
    msg.contains("invalid type: integer")
}

/// A yaml_serde message without its ` at line L column C` tail.
pub fn without_location(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg).trim()
}

/// For a duplicate-key message, the key when the message quotes it.
pub fn duplicate_key(msg: &str) -> Option<Option<&str>> {
    msg.contains("duplicate entry with key")
        .then(|| msg.split('"').nth(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        count: Option<u32>,
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        Given,
        Received,
    }

    /// The message as rapport sees it: serde's own, without the path
    /// serde_path_to_error adds in front.
    fn message(text: &str) -> String {
        let value: yaml_serde::Value = yaml_serde::from_str(text).unwrap();
        serde_path_to_error::deserialize::<_, Doc>(value)
            .unwrap_err()
            .into_inner()
            .to_string()
    }

    /// A message of yaml_serde's parser, with its location.
    fn parser_message(text: &str) -> String {
        yaml_serde::from_str::<yaml_serde::Value>(text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_field() {
        let m = message("name: a\nnmae: b\n");
        assert_eq!(
            parse(without_location(&m)),
            Message::UnknownField {
                field: "nmae",
                expected: vec!["name", "count", "kind"]
            },
            "{m}"
        );
    }

    #[test]
    fn unknown_variant() {
        let m = message("name: a\nkind: lent\n");
        assert_eq!(
            parse(without_location(&m)),
            Message::UnknownVariant {
                variant: "lent",
                expected: vec!["given", "received"]
            },
            "{m}"
        );
    }

    #[test]
    fn missing_field() {
        let m = message("count: 2\n");
        assert_eq!(
            parse(without_location(&m)),
            Message::MissingField { field: "name" },
            "{m}"
        );
    }

    #[test]
    fn invalid_type() {
        let m = message("name: a\ncount: many\n");
        match parse(without_location(&m)) {
            Message::Invalid { found, expected } => {
                assert_eq!(found, "string \"many\"", "{m}");
                assert_eq!(expected, "u32", "{m}");
            }
            other => panic!("{other:?} from {m}"),
        }
    }

    #[test]
    fn integer_too_large() {
        let m = yaml_serde::from_str::<Doc>("name: a\ncount: 99999999999999999999999\n")
            .unwrap_err()
            .to_string();
        assert!(is_integer_refused(&m), "{m}");
    }

    #[test]
    fn location_tail() {
        let m = parser_message("name: [a\n");
        assert!(m.contains(" at line "), "{m}");
        assert!(!without_location(&m).contains(" at line "), "{m}");
    }

    #[test]
    fn duplicate_entry() {
        let m = parser_message("name: a\nname: b\n");
        assert_eq!(duplicate_key(&m), Some(Some("name")), "{m}");
        assert_eq!(duplicate_key("something else"), None);
    }
}
