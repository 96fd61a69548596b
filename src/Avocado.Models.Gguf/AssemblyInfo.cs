[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Models.Tests")]
