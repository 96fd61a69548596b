[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Distill.Tests")]
