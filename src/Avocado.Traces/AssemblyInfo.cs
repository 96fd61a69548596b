[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Traces.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Cli.Tests")]
