//! A ClickHouse that costs nothing: an HTTP endpoint on loopback that reads each request
//! whole and answers `200 OK` with an empty body. `bench journal` points the ClickHouse
//! journal at it to measure what the journal costs VIOLET itself (records, spool, shipping),
//! apart from what the server's ingest costs the machine.

/// Start the endpoint on a free loopback port (detached threads, keep-alive as the
/// client uses it); its URL.
///
/// # Errors
/// None today: the `Result` keeps the caller's `?`.
pub fn start() -> anyhow::Result<String> {
    let (url, requests) = violet_testkit::stub_http::serve(Vec::new());
    // Nobody reads what was asked: the channel drains into a thread that drops it.
    std::thread::spawn(move || requests.into_iter().for_each(drop));
    Ok(url)
}

#[cfg(test)]
mod tests {
    use violet_clickhouse::RowWriter;
    use violet_journal::clickhouse::ClickHouse;

    #[test]
    fn answers_every_request_with_an_empty_200_after_reading_its_body() {
        let ch = ClickHouse::new(&super::start().expect("bind")).expect("url");
        assert_eq!(ch.query("SELECT 1").expect("200"), "");
        let mut rows = RowWriter::insert("t (s)");
        rows.str(&"x".repeat(3 << 20));
        ch.insert_rows(&rows).expect("200 after a 3 MiB body");
    }
}
