//! A small blocking HTTP/1.1 client with keep-alive, enough for the tests and the load
//! bench (bodies with `Content-Length`; the connection is opened again after any error).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// One connection to the server, reopened when it fails.
pub struct Client {
    addr: String,
    conn: Option<BufReader<TcpStream>>,
}

impl Client {
    /// A client of the server at `addr` (`host:port`); connects on the first request.
    pub fn new(addr: &str) -> Client {
        Client { addr: addr.to_string(), conn: None }
    }

    /// Sends a request and reads the response: (status, body).
    ///
    /// # Errors
    /// Any I/O error (the connection is dropped; the next call connects again).
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> std::io::Result<(u16, String)> {
        let out = self.try_request(method, path, body, headers);
        if out.is_err() {
            self.conn = None;
        }
        out
    }

    fn try_request(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> std::io::Result<(u16, String)> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(&self.addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
            self.conn = Some(BufReader::new(stream));
        }
        let conn = self.conn.as_mut().ok_or_else(|| std::io::Error::other("no connection"))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let stream = conn.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut line = String::new();
        if conn.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the server closed the connection"));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if conn.read_line(&mut line)? == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "headers cut short"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().map_err(|_| std::io::Error::other("bad content-length"))?;
                }
            }
        }
        let mut buf = vec![0; length];
        conn.read_exact(&mut buf)?;
        Ok((status, String::from_utf8_lossy(&buf).into_owned()))
    }
}
