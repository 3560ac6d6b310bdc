//! Step latency histograms: constant memory whatever the stream length, percentiles
//! exact below one second and within 1/32 above.

/// A latency histogram in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    /// Exact buckets for 0..1024 ms, then 32 sub-buckets per power of two.
    counts: Vec<u64>,
    pub count: u64,
    pub max: u64,
    /// The first samples, kept exactly (percentiles are exact while they last).
    samples: Vec<u64>,
}

/// Samples kept exactly per histogram.
const EXACT_SAMPLES: usize = 4096;

const EXACT: u64 = 1024;
const SUB: u64 = 32;

impl Histogram {
    fn bucket(v: u64) -> usize {
        if v < EXACT {
            return v as usize;
        }
        let exp = 63 - u64::from(v.leading_zeros()); // >= 10
        let sub = (v >> (exp - 5)) & (SUB - 1);
        (EXACT + (exp - 10) * SUB + sub) as usize
    }

    fn lower(b: usize) -> u64 {
        let b = b as u64;
        if b < EXACT {
            return b;
        }
        let exp = (b - EXACT) / SUB + 10;
        let sub = (b - EXACT) % SUB;
        (1 << exp) + (sub << (exp - 5))
    }

    pub fn record(&mut self, v: u64) {
        let b = Self::bucket(v);
        if self.counts.len() <= b {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        if self.samples.len() < EXACT_SAMPLES {
            self.samples.push(v);
        }
        self.count += 1;
        self.max = self.max.max(v);
    }

    /// The `p`-th percentile (nearest rank), 0 when empty.
    pub fn percentile(&self, p: u64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = (self.count * p).div_ceil(100).max(1);
        if self.count as usize == self.samples.len() {
            let mut s = self.samples.clone();
            s.sort_unstable();
            return s[(rank as usize - 1).min(s.len() - 1)];
        }
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::lower(b).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.percentile(50), 50);
        assert_eq!(h.percentile(95), 95);
        assert_eq!(h.percentile(99), 99);
        h.record(1_000_000);
        assert!(h.percentile(100) <= 1_000_000);
        assert!(Histogram::lower(Histogram::bucket(5000)) <= 5000);
    }
}
