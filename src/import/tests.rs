use super::*;

fn table(text: &str) -> Table {
    read_table("x.csv", text, &Rules::default()).unwrap()
}

fn fields(text: &str, rules: &Rules, options: &Options) -> Result<Mapping, Vec<Diagnostic>> {
    map_header("x.csv", &table(text), rules, options)
}

#[test]
fn a_header_maps_itself_only_when_the_whole_of_it_is_a_known_name() {
    let m = fields(
        "referral_DATE,Referred By,IN/OUT,First Name,Last Name,Client Since Year,Email\n",
        &Rules::default(),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(m.fields[&Field::Date], Origin::Columns(vec![0]));
    assert_eq!(m.fields[&Field::Partner], Origin::Columns(vec![1]));
    assert_eq!(m.fields[&Field::Direction], Origin::Columns(vec![2]));
    assert_eq!(m.fields[&Field::Client], Origin::Columns(vec![3, 4]));
    assert_eq!(m.ignored, vec![5, 6], "`Client Since Year` is no date");
}

#[test]
fn two_columns_for_one_field_and_missing_fields_are_named() {
    let e = fields(
        "Date,Client Since,Partner\n",
        &Rules::default(),
        &Options::default(),
    )
    .unwrap_err();
    let all: Vec<String> = e.iter().map(|d| d.message.clone()).collect();
    assert!(
        all.iter()
            .any(|m| m == "two columns are the date: `Date` (A) and `Client Since` (B)"),
        "{all:?}"
    );
    assert!(
        all.iter().any(|m| m == "no column is the direction"),
        "{all:?}"
    );
}

#[test]
fn rules_name_columns_set_values_map_words_and_skip_rows() {
    let rules = Rules::parse(
        "r.rules",
        "# a CRM\nskip 1\nseparator ;\ndate-format %d.%m.%Y\n\
         date = Opened   # the day\npartner = #2\nclient = Given + Family\n\
         set direction received\noutcome = Stage\nmap outcome Closed Won -> won\n\
         skip-if Stage = Cancelled\nignore Status\n",
    )
    .unwrap();
    let text = "Exported 2026-11-30\nOpened;Source;Given;Family;Stage;Status\n\
                01.02.2026;Lena Park;Ada;Lovelace;closed_won;x\n\
                02.02.2026;Lena Park;Bo;;Cancelled;x\n\
                03.02.2026;;Cy;;Open;x\n";
    let table = read_table("x.csv", text, &rules).unwrap();
    assert_eq!(table.header_line, 2);
    let mapping = map_header("x.csv", &table, &rules, &Options::default()).unwrap();
    let rows = read_rows("x.csv", &table, &mapping, &rules, &Options::default());
    assert!(rows.refused.is_empty(), "{:?}", rows.refused);
    assert_eq!(rows.skipped, vec![4]);
    assert_eq!(rows.no_partner, vec![5]);
    assert_eq!(rows.rows.len(), 1);
    let r = &rows.rows[0];
    assert_eq!((r.line, r.partner.as_str()), (3, "Lena Park"));
    assert_eq!(r.referral.date, Day::parse("2026-02-01").unwrap());
    assert_eq!(r.referral.direction, Direction::Received);
    assert_eq!(r.referral.client.as_deref(), Some("Ada Lovelace"));
    assert_eq!(r.referral.outcome, Some(Outcome::Won));
}

#[test]
fn a_bad_rule_is_named_by_its_line_with_a_suggestion() {
    let e = Rules::parse("r.rules", "date = Opened\nsep ;\nmap outcome won\n").unwrap_err();
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].message, "unknown rule `sep`");
    assert_eq!(e[0].place.as_ref().unwrap().line, 2);
    assert!(
        e[0].help.iter().any(|h| h.contains("separator")),
        "{:?}",
        e[0].help
    );
    assert_eq!(e[1].place.as_ref().unwrap().line, 3);
}

#[test]
fn the_words_of_exports_read_as_the_notes_words() {
    assert_eq!(direction_word(" Referred_Out "), Some(Direction::Given));
    assert_eq!(direction_word("INBOUND"), Some(Direction::Received));
    assert_eq!(direction_word("outgoing"), None);
    assert_eq!(type_word("New"), Some(ReferralType::NetNew));
    assert_eq!(type_word("net new"), Some(ReferralType::NetNew));
    assert_eq!(outcome_word("Converted"), Some(Outcome::Won));
    assert_eq!(outcome_word("declined"), Some(Outcome::Lost));
    assert_eq!(outcome_word("OPEN"), Some(Outcome::Pending));
    assert_eq!(outcome_word("Exceeded"), Some(Outcome::Exceeded));
    assert_eq!(value_number("$4,500.00"), Some(4500.0));
    assert_eq!(value_number("€ 300"), Some(300.0));
    assert_eq!(value_number("-12.5"), Some(-12.5));
    assert_eq!(value_number("45,00"), None);
    assert_eq!(value_number("1.234,5"), None);
    assert_eq!(value_number("about 40"), None);
    assert_eq!(value_number("1e400"), None);
}

#[test]
fn a_refused_cell_is_marked_in_its_row() {
    let t = table("Date,Partner,Direction\n2026-01-01,\"Park, Lena\",sideways\n");
    let m = map_header("x.csv", &t, &Rules::default(), &Options::default()).unwrap();
    let rows = read_rows("x.csv", &t, &m, &Rules::default(), &Options::default());
    let d = &rows.refused[0];
    assert_eq!(
        d.message,
        "row 2, column `Direction` (C): `sideways` is not a direction"
    );
    let place = d.place.as_ref().unwrap();
    assert_eq!((place.line, place.column), (2, 25));
    assert_eq!(letter(0), "A");
    assert_eq!(letter(25), "Z");
    assert_eq!(letter(26), "AA");
}
