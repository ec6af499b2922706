//! Java (JSSE): `java -XshowSettings:properties -version` prints the system properties,
//! among them `java.home` and any `javax.net.ssl.trustStore` (from the command line or a
//! `*_JAVA_OPTIONS` variable); the store is that, else `java.home`'s `jssecacerts` or
//! `cacerts`, and `keytool -list -rfc` lists its certificates.

use super::{Ask, Client, ClientName, Source, Store, first_line};
use crate::environment::Environment;
use crate::version::ClientVersion;
use std::path::{Path, PathBuf};

const NAME: ClientName = ClientName::Java;
const TRUST_STORE: &str = "javax.net.ssl.trustStore";
/// The JVM flags only shorten start-up (less compilation, one GC thread); a JVM that does not
/// know them ignores them.
const JVM_FLAGS: [&str; 3] = [
    "-XX:+IgnoreUnrecognizedVMOptions",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
];

/// The system properties that matter here.
#[derive(Debug, Default, PartialEq, Eq)]
struct Properties {
    version: Option<ClientVersion>,
    home: Option<PathBuf>,
    trust_store: Option<PathBuf>,
    password: Option<String>,
    store_type: Option<String>,
}

/// Asks `java`, then `keytool` (IO).
pub(super) fn ask(ask: &Ask<'_>) -> Client {
    let mut args = JVM_FLAGS.to_vec();
    args.extend(["-XshowSettings:properties", "-version"]);
    let result = ask.run("java", &args);
    let properties = match ask.answer(NAME, "java -XshowSettings", result) {
        Ok(a) => parse_properties(&a.stderr),
        Err(client) => return *client,
    };
    let Some(home) = properties.home.clone() else {
        let why = "java printed no java.home".to_owned();
        return Client::unknown(NAME, properties.version, why);
    };
    let jssecacerts = home.join("lib").join("security").join("jssecacerts");
    let (file, source) = trust_store(&properties, &home, jssecacerts.is_file(), ask.env);
    let keytool = home.join("bin").join(if cfg!(windows) {
        "keytool.exe"
    } else {
        "keytool"
    });
    let keytool = if keytool.is_file() {
        keytool.to_string_lossy().into_owned()
    } else {
        "keytool".to_owned()
    };
    let reported = if file.exists() {
        let file_arg = file.to_string_lossy().into_owned();
        let password = properties.password.as_deref().unwrap_or("changeit");
        let mut args: Vec<String> = JVM_FLAGS.iter().map(|f| format!("-J{f}")).collect();
        args.extend(
            [
                "-list",
                "-rfc",
                "-keystore",
                &file_arg,
                "-storepass",
                password,
            ]
            .map(str::to_owned),
        );
        if let Some(t) = &properties.store_type {
            args.extend(["-storetype".to_owned(), t.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match ask.run(&keytool, &args) {
            Ok(a) if a.success => Some(a.stdout),
            Ok(a) => {
                let why = format!(
                    "keytool cannot list {}: {}",
                    file.display(),
                    keytool_failure(&a.stdout, &a.stderr)
                );
                return Client::unknown(NAME, properties.version, why);
            }
            Err(e) => return Client::unknown(NAME, properties.version, format!("keytool {e}")),
        }
    } else {
        None
    };
    let store = Store {
        reported,
        file_is_keystore: true,
        ..Store::paths(Some(file), None)
    };
    Client::found(NAME, properties.version, store, vec![source])
}

/// Reads the properties `java -XshowSettings:properties` prints to standard error
/// (`    java.home = /usr/lib/jvm/...`): pure.
fn parse_properties(stderr: &str) -> Properties {
    let property = |key: &str| {
        stderr.lines().find_map(|l| {
            let (k, v) = l.split_once(" = ")?;
            (k.trim() == key).then(|| v.trim().to_owned())
        })
    };
    Properties {
        version: property("java.version").map(|v| ClientVersion::new(format!("Java {v}"))),
        home: property("java.home").map(PathBuf::from),
        trust_store: property(TRUST_STORE).map(PathBuf::from),
        password: property("javax.net.ssl.trustStorePassword"),
        store_type: property("javax.net.ssl.trustStoreType"),
    }
}

/// The trust store and where it came from: the property (set in a variable, or on the command
/// line), else `jssecacerts` when it exists, else `cacerts`: pure.
fn trust_store(
    properties: &Properties,
    home: &Path,
    jssecacerts: bool,
    env: &Environment,
) -> (PathBuf, Source) {
    if let Some(store) = &properties.trust_store {
        let carrier = NAME.variables().iter().copied().find(|var| {
            env.var(*var)
                .is_some_and(|v| v.to_string_lossy().contains(&format!("{TRUST_STORE}=")))
        });
        let source = match carrier {
            Some(var) => Source::EnvProperty {
                var,
                property: TRUST_STORE,
            },
            None => Source::SystemProperty(TRUST_STORE),
        };
        return (store.clone(), source);
    }
    let security = home.join("lib").join("security");
    let file = if jssecacerts {
        security.join("jssecacerts")
    } else {
        security.join("cacerts")
    };
    (file, Source::BuiltIn)
}

/// Why `keytool -list` failed: the first line it printed, its standard output first (where
/// keytool writes its errors; standard error holds warnings): pure.
fn keytool_failure(stdout: &str, stderr: &str) -> String {
    first_line(stdout)
        .or_else(|| first_line(stderr))
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    const DEFAULT: &str = include_str!("../../tests/captured/java-settings.txt");
    const TOOL_OPTIONS: &str = include_str!("../../tests/captured/java-settings-tool-options.txt");
    const HOME: &str = "/usr/lib/jvm/java-17-openjdk-amd64";

    #[test]
    fn parses_captured_output() {
        let p = parse_properties(DEFAULT);
        let version = p.version.as_ref().map(|v| (v.text.as_str(), v.release));
        assert_eq!(
            version,
            Some(("Java 17.0.15", crate::Version::parse("17.0.15")))
        );
        assert_eq!(p.home, Some(PathBuf::from(HOME)));
        assert_eq!(p.trust_store, None);
        let p = parse_properties(TOOL_OPTIONS);
        assert_eq!(p.trust_store, Some(PathBuf::from("/etc/ssl/corp.p12")));
        assert_eq!(p.password.as_deref(), Some("changeit"));
        assert_eq!(p.store_type, None);
        assert_eq!(parse_properties(""), Properties::default());
    }

    fn check(settings: &str, vars: &[(&str, &str)], jssecacerts: bool, file: &str, source: &str) {
        let env = Environment::new(
            vars.iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let p = parse_properties(settings);
        let (f, s) = trust_store(&p, Path::new(HOME), jssecacerts, &env);
        assert_eq!(
            (f, s.to_string()),
            (PathBuf::from(file), source.to_owned()),
            "{vars:?}"
        );
    }

    #[test]
    fn the_property_before_the_defaults() {
        let cacerts = format!("{HOME}/lib/security/cacerts");
        let jsse = format!("{HOME}/lib/security/jssecacerts");
        let options = "-Djavax.net.ssl.trustStore=/etc/ssl/corp.p12 -Djavax.net.ssl.trustStorePassword=changeit";
        check(DEFAULT, &[], false, &cacerts, "built-in default");
        check(DEFAULT, &[], true, &jsse, "built-in default");
        check(
            TOOL_OPTIONS,
            &[("JAVA_TOOL_OPTIONS", options)],
            false,
            "/etc/ssl/corp.p12",
            "env JAVA_TOOL_OPTIONS (javax.net.ssl.trustStore)",
        );
        check(
            TOOL_OPTIONS,
            &[],
            false,
            "/etc/ssl/corp.p12",
            "system property javax.net.ssl.trustStore",
        );
    }

    #[test]
    fn keytool_says_why() {
        let stdout = include_str!("../../tests/captured/keytool-wrong-password.stdout.txt");
        let stderr = include_str!("../../tests/captured/keytool-wrong-password.stderr.txt");
        assert_eq!(
            keytool_failure(stdout, stderr),
            "keytool error: java.io.IOException: Keystore was tampered with, or password was incorrect"
        );
        assert_eq!(
            keytool_failure("", stderr),
            "Warning: use -cacerts option to access cacerts keystore"
        );
    }
}
