//! The generated Kotlin and Swift name every event and effect variant, and every field, that
//! the core's schema (`schema/*.schema.json`, generated from the core types) names: none
//! missing, none extra, each in the platform's spelling (`order_id` is `orderId`). The
//! generated files are the ones checked in (`test.sh` fails when they are not current).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

type Shape = BTreeMap<String, Vec<String>>;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn pascal(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Variant (PascalCase) → its fields (camelCase, sorted), from a schema's `oneOf`.
fn schema_variants(file: &str) -> Shape {
    let schema: Value = serde_json::from_str(&read(file)).unwrap();
    let mut out = Shape::new();
    for v in schema["oneOf"].as_array().unwrap() {
        let props = v["properties"].as_object().unwrap();
        let name = props["type"]["const"].as_str().unwrap();
        let mut fields: Vec<String> = props.keys().filter(|k| *k != "type").map(|k| camel(k)).collect();
        fields.sort();
        out.insert(pascal(name), fields);
    }
    out
}

/// A record's fields (camelCase, sorted), from a schema's `$defs`.
fn schema_record(file: &str, def: &str) -> Vec<String> {
    let schema: Value = serde_json::from_str(&read(file)).unwrap();
    let mut fields: Vec<String> =
        schema["$defs"][def]["properties"].as_object().unwrap().keys().map(|k| camel(k)).collect();
    fields.sort();
    fields
}

fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The text from `open` to the first line that is a lone `}` at the left margin.
fn block<'a>(text: &'a str, open: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("no {open:?}"));
    let body = &text[start..];
    &body[..body.find("\n}\n").unwrap_or(body.len())]
}

/// Labels before `:` in a parameter list (`orderId: String, amount: Money` or Kotlin's
/// ``val `orderId`: String``).
fn labels(params: &str) -> Vec<String> {
    let mut out: Vec<String> = params
        .split(',')
        .filter_map(|p| {
            let name = p.split(':').next()?.trim().trim_start_matches("val ").trim_matches('`').trim();
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect();
    out.sort();
    out
}

fn swift_enum(swift: &str, name: &str) -> Shape {
    let body = block(swift, &format!("public enum {name}: "));
    let mut out = Shape::new();
    for line in body.split("\n    case ").skip(1) {
        let head: String = line.chars().take_while(|c| c.is_alphanumeric()).collect();
        let params = line[head.len()..].strip_prefix('(').map_or("", |p| &p[..p.find(')').unwrap()]);
        out.insert(pascal(&head), labels(params));
    }
    out
}

fn swift_record(swift: &str, name: &str) -> Vec<String> {
    let body = block(swift, &format!("public struct {name}: "));
    let mut out: Vec<String> = body
        .lines()
        .filter_map(|l| l.trim().strip_prefix("public let ").and_then(|f| f.split(':').next()).map(str::to_string))
        .collect();
    out.sort();
    out
}

fn kotlin_enum(kotlin: &str, name: &str) -> Shape {
    let body = block(kotlin, &format!("sealed class {name} {{"));
    let mut out = Shape::new();
    for part in body.split("data class ").skip(1) {
        let head: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
        let params = &part[head.len() + 1..part.find(&format!(") : {name}()")).unwrap()];
        out.insert(head, labels(params));
    }
    for part in body.split("object ").skip(1) {
        let head: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
        if part[head.len()..].starts_with(&format!(" : {name}()")) {
            out.insert(head, Vec::new());
        }
    }
    out
}

fn kotlin_record(kotlin: &str, name: &str) -> Vec<String> {
    let open = format!("data class {name} (");
    let body = &block(kotlin, &open)[open.len()..];
    labels(&body[..body.find("\n)").unwrap()])
}

#[test]
fn swift_and_kotlin_name_every_event_and_effect_variant_and_field_of_the_schema() {
    let swift = without_comments(&read("bindings-mobile/swift/loyalty_mobile.swift"));
    let kotlin = without_comments(&read("bindings-mobile/kotlin/dev/loyalty/loyalty_mobile.kt"));
    let events = schema_variants("schema/event.schema.json");
    let effects = schema_variants("schema/effect.schema.json");
    assert!(events.len() >= 15 && effects.len() >= 19, "{} events, {} effects", events.len(), effects.len());
    assert_eq!(swift_enum(&swift, "EventKind"), events);
    assert_eq!(kotlin_enum(&kotlin, "EventKind"), events);
    assert_eq!(swift_enum(&swift, "Effect"), effects);
    assert_eq!(kotlin_enum(&kotlin, "Effect"), effects);

    let event: Value = serde_json::from_str(&read("schema/event.schema.json")).unwrap();
    let mut top: Vec<String> = event["properties"].as_object().unwrap().keys().map(|k| camel(k)).collect();
    top.push("kind".into());
    top.sort();
    for (ours, file, def) in [
        ("OrderLine", "schema/event.schema.json", "OrderLine"),
        ("ReceivedLot", "schema/event.schema.json", "ReceivedLot"),
        ("Draw", "schema/effect.schema.json", "Draw"),
        ("MissingMetric", "schema/effect.schema.json", "Missing"),
        ("FundDraw", "schema/effect.schema.json", "FundDraw"),
    ] {
        let expected = schema_record(file, def);
        assert_eq!(swift_record(&swift, ours), expected, "Swift {ours}");
        assert_eq!(kotlin_record(&kotlin, ours), expected, "Kotlin {ours}");
    }
    assert_eq!(swift_record(&swift, "Event"), top);
    assert_eq!(kotlin_record(&kotlin, "Event"), top);
}

#[test]
fn the_parsers_see_a_missing_field_and_an_extra_variant() {
    let swift = "public enum EventKind: Equatable {\n    case joined(birthday: Day?\n    )\n    case checkedIn\n}\n";
    let shape = swift_enum(swift, "EventKind");
    assert_eq!(shape.get("Joined"), Some(&vec!["birthday".to_string()]));
    assert_eq!(shape.get("CheckedIn"), Some(&Vec::new()));
    assert_eq!(shape.len(), 2);
    let kotlin = "sealed class Effect {\n    data class DebtCreated(\n        val `orderId`: kotlin.String, \n        val `points`: kotlin.Long) : Effect()\n    {\n    }\n    object Nothing : Effect()\n}\n";
    let shape = kotlin_enum(kotlin, "Effect");
    assert_eq!(shape.get("DebtCreated"), Some(&vec!["orderId".to_string(), "points".to_string()]));
    assert_eq!(shape.len(), 2);
}
