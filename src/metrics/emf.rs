//! CloudWatch Embedded Metric Format: one JSON line on stdout per
//! invocation that did something, which CloudWatch Logs turns into metrics
//! with no API call (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).

use std::io::Write;

use serde_json::{Value, json};

use super::Counts;

/// Where the metrics appear in CloudWatch.
#[derive(Debug, Clone)]
pub struct Emf {
    /// The metric namespace, e.g. `honyaku`.
    pub namespace: String,
    /// The `Function` dimension: the Lambda function's name.
    pub function: String,
}

/// Metric names and units, in the order they appear.
const METRICS: [(&str, &str); 8] = [
    ("Messages", "Count"),
    ("Translations", "Count"),
    ("CharactersTranslated", "Count"),
    ("GoneConnections", "Count"),
    ("PayloadTooLarge", "Count"),
    ("BudgetRefusals", "Count"),
    // The template's alarm fires at 80 (limits::BUDGET_ALARM_PERCENT).
    ("BudgetUsedPercent", "Percent"),
    ("Errors", "Count"),
];

impl Emf {
    /// The EMF document for `counts` at `timestamp_ms`.
    pub fn document(&self, counts: &Counts, timestamp_ms: i64) -> Value {
        let values = [
            counts.messages,
            counts.translations,
            counts.characters,
            counts.gone,
            counts.too_large,
            counts.budget_refusals,
            counts.budget_percent,
            counts.errors,
        ];
        let mut doc = json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": [["Function"]],
                    "Metrics": METRICS
                        .iter()
                        .map(|(name, unit)| json!({"Name": name, "Unit": unit}))
                        .collect::<Vec<_>>(),
                }],
            },
            "Function": self.function,
        });
        for ((name, _), value) in METRICS.iter().zip(values) {
            doc[*name] = json!(value);
        }
        doc
    }

    /// Writes one line for `counts` to stdout, unless all are zero. One
    /// write, so it is never interleaved with a log line.
    pub fn write(&self, counts: &Counts) {
        if counts.is_zero() {
            return;
        }
        let mut line = self
            .document(counts, chrono::Utc::now().timestamp_millis())
            .to_string();
        line.push('\n');
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_emf_document() {
        let emf = Emf {
            namespace: "honyaku".into(),
            function: "honyaku-Chat".into(),
        };
        let counts = Counts {
            messages: 1,
            translations: 2,
            characters: 10,
            gone: 1,
            ..Counts::default()
        };
        let doc = emf.document(&counts, 1_764_150_000_000);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(doc["_aws"]["Timestamp"], 1_764_150_000_000_i64);
        assert_eq!(directive["Namespace"], "honyaku");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        // Every declared metric and dimension has a value at the top level.
        for m in directive["Metrics"].as_array().unwrap() {
            let name = m["Name"].as_str().unwrap();
            assert!(doc[name].is_u64(), "{name}");
            assert!(m["Unit"] == "Count" || m["Unit"] == "Percent");
        }
        assert_eq!(doc["Function"], "honyaku-Chat");
        assert_eq!(doc["CharactersTranslated"], 10);
        assert_eq!(doc["Errors"], 0);
    }
}
