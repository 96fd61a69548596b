[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Charts.Tests")]
