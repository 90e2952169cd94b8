//! The capacity classes every runtime builds policies in, and the estimate
//! that picks the smallest class a configuration fits.
//!
//! A [`Policy`] keeps everything in fixed-capacity tables whose sizes are
//! const generics. Runtimes that build policies from documents (the C
//! library, Python, Node, the CLI) do not let users pick those numbers: they
//! build in one of the three classes below, the smallest that fits. The
//! table lives here so that every runtime offers the same classes.

use crate::config::{AllowedHeaders, Config, ExposedHeaders, MaxAge, Methods};
use crate::policy::Policy;

/// One capacity class: the const generics of a [`Policy`] type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityClass {
    /// The class's name, as runtimes and documents spell it.
    pub name: &'static str,
    /// `ORIGINS`: origins and patterns.
    pub origins: usize,
    /// `NAMES`: allowed methods, and allowed header names.
    pub names: usize,
    /// `BYTES`: stored origins and precomputed header values.
    pub bytes: usize,
}

impl CapacityClass {
    /// For small services and firmware: 16 origins, 16 names, 1 KiB.
    pub const SMALL: CapacityClass = CapacityClass {
        name: "small",
        origins: 16,
        names: 16,
        bytes: 1024,
    };
    /// The default of [`Policy`]: 256 origins, 64 names, 16 KiB.
    pub const DEFAULT: CapacityClass = CapacityClass {
        name: "default",
        origins: 256,
        names: 64,
        bytes: 16384,
    };
    /// The largest class: 4,096 origins, 256 names, 256 KiB.
    pub const LARGE: CapacityClass = CapacityClass {
        name: "large",
        origins: 4096,
        names: 256,
        bytes: 262_144,
    };

    /// Every class, smallest first.
    pub const ALL: [CapacityClass; 3] = [Self::SMALL, Self::DEFAULT, Self::LARGE];

    /// The class called `name`.
    ///
    /// ```
    /// use corsguard::capacity::CapacityClass;
    /// assert_eq!(CapacityClass::named("large"), Some(CapacityClass::LARGE));
    /// assert_eq!(CapacityClass::named("huge"), None);
    /// ```
    pub fn named(name: &str) -> Option<CapacityClass> {
        Self::ALL.iter().find(|c| c.name == name).copied()
    }

    /// The next larger class, if any.
    pub fn larger(&self) -> Option<CapacityClass> {
        let at = Self::ALL.iter().position(|c| c == self)?;
        Self::ALL.get(at + 1).copied()
    }

    /// The smallest class whose capacities cover `needs`; the largest when
    /// none does (building then reports which capacity is exceeded).
    pub fn for_needs(needs: &Needs) -> CapacityClass {
        Self::ALL
            .iter()
            .find(|c| {
                needs.origins <= c.origins && needs.names <= c.names && needs.bytes <= c.bytes
            })
            .copied()
            .unwrap_or(Self::LARGE)
    }
}

/// A [`Policy`] in the [`CapacityClass::SMALL`] class.
pub type SmallPolicy = Policy<
    { CapacityClass::SMALL.origins },
    { CapacityClass::SMALL.names },
    { CapacityClass::SMALL.bytes },
>;
/// A [`Policy`] in the [`CapacityClass::DEFAULT`] class.
pub type DefaultPolicy = Policy<
    { CapacityClass::DEFAULT.origins },
    { CapacityClass::DEFAULT.names },
    { CapacityClass::DEFAULT.bytes },
>;
/// A [`Policy`] in the [`CapacityClass::LARGE`] class.
pub type LargePolicy = Policy<
    { CapacityClass::LARGE.origins },
    { CapacityClass::LARGE.names },
    { CapacityClass::LARGE.bytes },
>;

/// An upper bound of what building a configuration takes from each capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Origins and patterns.
    pub origins: usize,
    /// Method or header names in one table.
    pub names: usize,
    /// Stored bytes.
    pub bytes: usize,
}

/// Room for the precomputed `Vary` values and the few fixed strings a policy
/// stores whatever its configuration (the longest is Starlette's 113-byte
/// preflight `Vary`).
const FIXED_BYTES: usize = 256;
/// The four CORS-safelisted request headers a profile may add, with separators.
const SAFELISTED_BYTES: usize = 64;
const SAFELISTED_NAMES: usize = 4;

impl Config<'_> {
    /// An upper bound of the capacities building this configuration takes,
    /// computed without building it: every entry counted with its separator,
    /// header names twice (as sent and lowercased for lookup), methods twice
    /// (the table and the joined value).
    ///
    /// ```
    /// use corsguard::Config;
    /// use corsguard::capacity::CapacityClass;
    /// let config = Config::new().allowed_origins(&["https://app.example.com"]);
    /// assert_eq!(CapacityClass::for_needs(&config.needs()), CapacityClass::SMALL);
    /// ```
    pub fn needs(&self) -> Needs {
        fn sum(list: &[&str]) -> usize {
            list.iter().map(|s| s.len() + 2).sum()
        }
        let mut needs = Needs {
            origins: self.origins.len() + usize::from(self.fixed_origin.is_some()),
            names: 0,
            bytes: FIXED_BYTES + sum(self.origins) + self.fixed_origin.map_or(0, |o| 2 * o.len()),
        };
        if let Methods::List(list) = self.methods {
            needs.names = needs.names.max(list.len());
            needs.bytes += 2 * sum(list);
        }
        if let AllowedHeaders::List(list) = self.allowed_headers {
            let (names, bytes) = if self.behaviour.safelisted_headers_added {
                (SAFELISTED_NAMES, SAFELISTED_BYTES)
            } else {
                (0, 0)
            };
            needs.names = needs.names.max(list.len() + names);
            needs.bytes += 2 * (sum(list) + bytes);
        }
        if let ExposedHeaders::List(list) = self.exposed_headers {
            needs.bytes += sum(list);
        }
        needs.bytes += match self.max_age {
            Some(MaxAge::Literal(value)) => value.len(),
            _ => 10,
        };
        needs
    }
}
