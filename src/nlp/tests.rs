//! Choices in the words people use; replies cut from their quotes.

use super::*;

#[test]
fn a_reply_picks_one_of_the_offered_options() {
    for (text, expected) in [
        ("2", Choice::Option(2)),
        ("2.", Choice::Option(2)),
        ("Option 3 works for me", Choice::Option(3)),
        ("the second one please", Choice::Option(2)),
        ("1st is great", Choice::Option(1)),
        ("I'll take the last one", Choice::Option(3)),
        ("#1", Choice::Option(1)),
        ("Number two, thanks!", Choice::Option(2)),
    ] {
        assert_eq!(choice(text, 3), expected, "{text}");
    }
}

#[test]
fn refusals_and_unclear_replies_are_told_apart() {
    for (text, expected) in [
        ("None of these work", Choice::NoneOfThem),
        ("Sorry, neither suits me", Choice::NoneOfThem),
        ("those don't work for me", Choice::NoneOfThem),
        ("Thursday at 3 works", Choice::Unclear),
        ("4", Choice::Unclear),
        ("1 or 2 both fine", Choice::Unclear),
        ("", Choice::Unclear),
        ("2 doesn't work, sorry", Choice::Unclear),
    ] {
        assert_eq!(choice(text, 3), expected, "{text}");
    }
}

#[test]
fn the_quoted_message_is_not_part_of_the_reply() {
    let gmail = "2 please\r\n\r\nOn Mon, 2 Mar 2026 at 13:00, Domina <book@kairos.example> wrote:\r\n> These times are free:\r\n>   1. Tuesday\r\n";
    assert_eq!(own_words(gmail), "2 please");
    let outlook = "The third one.\r\n\r\nFrom: Domina <book@kairos.example>\r\nSent: Monday\r\n  1. Tuesday 3 March\r\n";
    assert_eq!(own_words(outlook), "The third one.");
    let inline = "> 1. Tuesday\r\n> 2. Wednesday\r\nWednesday is fine, so 2\r\n";
    assert_eq!(own_words(inline), "Wednesday is fine, so 2");
}
