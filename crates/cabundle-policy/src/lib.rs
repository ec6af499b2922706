//! Which roots to trust for a purpose at a date, with a reason for every exclusion
