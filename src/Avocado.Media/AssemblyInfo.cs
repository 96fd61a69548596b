[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Media.Tests")]
