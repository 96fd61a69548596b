[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Inference.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Cli.Tests")]
