[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Media.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Bench.Media")]
