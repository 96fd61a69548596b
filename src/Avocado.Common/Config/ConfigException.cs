namespace Avocado.Common.Config;

/// <summary>A run config that cannot be used; the message names the field path (<c>training.seq_len: must be ≥ 8, got 4</c>).</summary>
public sealed class ConfigException(string message) : Exception(message);
