import json
from dataclasses import dataclass, field


@dataclass
class Config:
    """Model configuration."""
    hidden_size: int = 1024
    layers: list[int] = field(default_factory=lambda: [1, 2, 3])

    def to_json(self) -> str:
        return json.dumps({"hidden_size": self.hidden_size, "layers": self.layers}, indent=2)


def fib(n: int) -> int:
    if n < 2:
        return n
    a, b = 0, 1
    for _ in range(n - 1):
        a, b = b, a + b
    return b


if __name__ == "__main__":
    print(f"fib(30) = {fib(30):,}")  # 832,040
    print(Config().to_json())
