[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Eval.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Cli.Tests")]
