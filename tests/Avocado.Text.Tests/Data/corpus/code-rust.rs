use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    Word(&'a str),
    Number(i64),
}

pub fn count_words(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for w in text.split_whitespace() {
        *counts.entry(w).or_insert(0usize) += 1;
    }
    counts
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let v: Vec<u32> = (0..10).filter(|x| x % 2 == 0).map(|x| x * x).collect();
    println!("{:?} {:#x} {}", v, 255u8, r#"raw "string""#);
    Ok(())
}
