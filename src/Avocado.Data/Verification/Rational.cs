using System.Numerics;

namespace Avocado.Data.Verification;

/// <summary>
/// An exact rational number (numerator / positive denominator, always reduced), so that "0.1 + 0.2" style answers
/// compare exactly: 0.5, 1/2 and 50/100 are the same value and no double rounding can make 1000 ≠ 1e3.
/// </summary>
public readonly struct Rational : IEquatable<Rational>, IComparable<Rational>
{
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException("a rational number's denominator must not be zero");
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }
        Numerator = numerator;
        // default(Rational) has a zero denominator; read it as 0/1 so the default value is a valid zero.
        _denominatorMinusOne = denominator - 1;
    }

    private readonly BigInteger _denominatorMinusOne;

    public BigInteger Numerator { get; }

    /// <summary>Always positive.</summary>
    public BigInteger Denominator => _denominatorMinusOne + 1;

    public static Rational Zero => new(BigInteger.Zero, BigInteger.One);

    public static Rational FromInteger(BigInteger value) => new(value, BigInteger.One);

    /// <summary>10^exponent, exactly (negative exponents give 1/10^-exponent).</summary>
    public static Rational PowerOfTen(int exponent) =>
        exponent >= 0 ? FromInteger(BigInteger.Pow(10, exponent)) : new Rational(BigInteger.One, BigInteger.Pow(10, -exponent));

    public bool IsInteger => Denominator.IsOne;

    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator);
    public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <exception cref="DivideByZeroException"><paramref name="b"/> is zero.</exception>
    public static Rational operator /(Rational a, Rational b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public static bool operator <(Rational a, Rational b) => a.CompareTo(b) < 0;
    public static bool operator >(Rational a, Rational b) => a.CompareTo(b) > 0;
    public static bool operator <=(Rational a, Rational b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Rational a, Rational b) => a.CompareTo(b) >= 0;

    // Denominators are positive, so cross-multiplying keeps the order.
    public int CompareTo(Rational other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    /// <summary>The nearest double (for reporting scores; compare with the exact value).</summary>
    public double ToDouble() => (double)Numerator / (double)Denominator;

    public static bool operator ==(Rational a, Rational b) => a.Equals(b);
    public static bool operator !=(Rational a, Rational b) => !a.Equals(b);

    // Both sides are reduced with a positive denominator, so equal values have equal parts.
    public bool Equals(Rational other) => Numerator == other.Numerator && Denominator == other.Denominator;

    public override bool Equals(object? obj) => obj is Rational r && Equals(r);

    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    /// <summary>"n" for integers, "n/d" otherwise: a canonical key (equal values give equal strings).</summary>
    public override string ToString() => IsInteger ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
