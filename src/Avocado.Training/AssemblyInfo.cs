[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Training.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Cli.Tests")]
