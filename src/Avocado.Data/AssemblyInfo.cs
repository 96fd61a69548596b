[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Data.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Cli.Tests")]
