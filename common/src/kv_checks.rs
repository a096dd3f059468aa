//! Checks the course's KV tests make on the values clients read, shared by the testers of
//! Labs 2, 4 and 5.

/// The course's `checkClntAppends`: `value` holds client `client`'s appends 0..count,
/// each exactly once and in order. As the course's, the check looks for `"x <client> <j> y"`
/// anywhere in the value, but it finds them all in one pass over the value rather than
/// searching the value once per append.
pub fn check_client_appends(client: usize, value: &str, count: usize) {
    let prefix = format!("x {client} ");
    // Where each append 0..count occurs. The prefix cannot overlap itself, so every
    // occurrence of an append starts at one of these matches.
    let mut found: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (at, _) in value.match_indices(&prefix) {
        let rest = &value[at + prefix.len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let canonical = digits == 1 || (digits > 1 && !rest.starts_with('0'));
        if !canonical || !rest[digits..].starts_with(" y") {
            continue;
        }
        match rest[..digits].parse::<usize>() {
            Ok(j) if j < count => found[j].push(at),
            _ => {}
        }
    }
    let mut last = None;
    for (j, places) in found.iter().enumerate() {
        let wanted = format!("x {client} {j} y");
        let Some(&at) = places.first() else {
            panic!("{client} missing element {wanted} in Append result {value}");
        };
        assert!(
            places.len() == 1,
            "duplicate element {wanted} in Append result"
        );
        if let Some(before) = last {
            assert!(
                at > before,
                "wrong order for element {wanted} in Append result"
            );
        }
        last = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::check_client_appends;

    fn fails(value: &str, count: usize) -> bool {
        std::panic::catch_unwind(|| check_client_appends(1, value, count)).is_err()
    }

    #[test]
    fn client_appends_found_once_each_in_order() {
        assert!(!fails("", 0));
        assert!(!fails("x 1 0 yx 2 0 yx 1 1 yx 11 2 yx 1 2 y", 3));
        assert!(fails("x 1 0 yx 1 2 y", 3), "missing");
        assert!(fails("x 1 0 yx 1 1 yx 1 1 y", 2), "duplicate");
        assert!(fails("x 1 1 yx 1 0 y", 2), "wrong order");
        assert!(fails("x 1 00 yx 1 1 y", 2), "00 is not append 0");
        assert!(fails("x 1 10 y", 2), "10 is not append 1 or 0");
        assert!(
            !fails("x 1 0 yx 1 1 yx 1 7 y", 2),
            "later appends are not checked"
        );
    }
}
