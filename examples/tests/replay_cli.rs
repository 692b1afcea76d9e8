//! The main job from the outside: its flags, its inputs (CDNOW, CSV with quotes, Parquet) and
//! its errors, which name the line, the column and the value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn replay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_replay")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn work(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The report without its timing line.
fn report(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.starts_with("replayed ")).collect::<Vec<_>>().join("\n")
}

#[test]
fn help_documents_every_flag() {
    let out = replay(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--program",
        "--compare",
        "--input",
        "--format",
        "--as-of",
        "--redeem",
        "--probability",
        "--seed",
        "--threads",
        "--html",
        "--help",
        "--version",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}:\n{help}");
    }
    assert!(help.contains("cdnow") && help.contains("parquet"), "{help}");
}

#[test]
fn a_bad_row_names_its_line_column_and_value() {
    let dir = work("cli-bad-row");
    let log = dir.join("orders.csv");
    std::fs::write(&log, "member_id,date,amount\n\"Smith, J.\",2024-01-02,12.50\nm2,2024-01-03,\"1,5\"\n").unwrap();
    let out = replay(&["--input", log.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(r#"line 3, column amount: "1,5" is not a decimal amount"#), "{err}");

    let out = replay(&["--redeem", "no-such-reward"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(r#"behaviour.reward_id: "no-such-reward" is not in the catalog"#), "{err}");

    let out = replay(&["--probability", "1.5"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(r#"behaviour.probability: "1.5" must be from 0 to 1"#));
    let out = replay(&["--format", "xml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'xml' for '--format"));
}

#[test]
fn csv_and_parquet_logs_give_the_same_report_and_threads_change_nothing() {
    let dir = work("cli-formats");
    // Member "a" spends 120.00 then 30.00 at Harbor Records (1 point per dollar, gift card at
    // 1,000): 150 points, no redemption; "b, the second" spends 1,000.00 on 8 March (member day:
    // double points, capped at 2,000 per order): 2,000 points, pending for 14 days.
    let csv = dir.join("orders.csv");
    std::fs::write(
        &csv,
        "member_id,date,amount\na,2024-01-02,120.00\n\"b, the second\",2024-03-08,1000.00\na,2024-02-01,30.00\n",
    )
    .unwrap();
    let parquet = dir.join("orders.parquet");
    write_parquet(&parquet, &["a", "b, the second", "a"], &[19_724, 19_790, 19_754], &[12_000, 100_000, 3_000]);
    let bad = dir.join("bad.parquet");
    write_parquet(&bad, &["a", "b"], &[19_724, 19_725], &[1_234, -5]);
    let out = replay(&["--input", bad.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(r#"line 2, column amount: "-0.05" must not be negative"#));
    let from_csv = report(&replay(&["--input", csv.to_str().unwrap(), "--as-of", "2024-03-10"]));
    let from_parquet = report(&replay(&["--input", parquet.to_str().unwrap(), "--as-of", "2024-03-10"]));
    let from_csv = from_csv.replace(csv.to_str().unwrap(), "LOG").replace("(csv)", "");
    assert_eq!(from_csv, from_parquet.replace(parquet.to_str().unwrap(), "LOG").replace("(parquet)", ""));
    let line = |name: &str| {
        from_csv.lines().find(|l| l.starts_with(name)).unwrap().split_whitespace().last().unwrap().to_string()
    };
    assert_eq!(line("points issued"), "2,150");
    assert_eq!(line("  of which pending"), "2,000");
    assert_eq!(line("points redeemed"), "0");
    assert_eq!(line("revenue"), "1,150.00");

    let one = report(&replay(&["--compare", "programs/coffee-shop.json", "--seed", "9", "--probability", "0.4"]));
    let two = report(&replay(&[
        "--compare",
        "programs/coffee-shop.json",
        "--seed",
        "9",
        "--probability",
        "0.4",
        "--threads",
        "2",
    ]));
    assert_eq!(one, two);
}

fn write_parquet(path: &Path, members: &[&str], days: &[i32], cents: &[i64]) {
    let schema = Arc::new(
        parse_message_type(
            "message orders { REQUIRED BYTE_ARRAY member_id (UTF8); REQUIRED INT32 date (DATE);
             REQUIRED INT64 amount (DECIMAL(18, 2)); }",
        )
        .unwrap(),
    );
    let mut writer = SerializedFileWriter::new(
        std::fs::File::create(path).unwrap(),
        schema,
        Arc::new(WriterProperties::builder().build()),
    )
    .unwrap();
    let mut group = writer.next_row_group().unwrap();
    let mut i = 0;
    while let Some(mut column) = group.next_column().unwrap() {
        match i {
            0 => {
                let v: Vec<ByteArray> = members.iter().map(|m| ByteArray::from(*m)).collect();
                column.typed::<ByteArrayType>().write_batch(&v, None, None).unwrap()
            }
            1 => column.typed::<Int32Type>().write_batch(days, None, None).unwrap(),
            _ => column.typed::<Int64Type>().write_batch(cents, None, None).unwrap(),
        };
        column.close().unwrap();
        i += 1;
    }
    group.close().unwrap();
    writer.close().unwrap();
}

#[test]
fn a_terminal_sees_a_progress_bar_and_a_pipe_does_not() {
    // `script` (util-linux) gives the replay a terminal; its stdout goes to /dev/null, so
    // what the terminal shows is the bar on stderr.
    let command = format!("{} > /dev/null", env!("CARGO_BIN_EXE_replay"));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script (util-linux) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("/23570 members"), "no progress bar on a terminal: {screen:?}");
    let piped = replay(&["--input", "data/CDNOW_sample.txt"]);
    assert!(piped.status.success());
    assert_eq!(String::from_utf8_lossy(&piped.stderr), "");
}
