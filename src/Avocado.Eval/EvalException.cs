namespace Avocado.Eval;

/// <summary>
/// An evaluation that cannot run as asked: a model that cannot be loaded or reached, a bench prompt without a
/// reference answer, a failed request. The message names the model or file and says what to do.
/// </summary>
public sealed class EvalException(string message, Exception? inner = null) : Exception(message, inner);
