[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Common.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Cli.Tests")]
