[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Teachers.Tests")]
