namespace Avocado.Cli;

public static class Usage
{
    public const string Text = """
        avocado — distill open-weight teachers into one closed student, and serve it.

        Models (Hugging Face layout: config.json + *.safetensors):
          avocado model init --family qwen3|gemma3|gpt-oss --preset tiny --out DIR [--seed N] [--vocab-size N] [--dtype f32|bf16|f16]
          avocado model info DIR [--json]
          avocado model logits DIR --ids 1,2,3 [--out FILE.json]
          avocado model export-gguf DIR --out FILE.gguf [--dtype f32|f16]
          avocado generate DIR --ids 1,2,3 [--max-tokens N] [--temperature T] [--top-p P] [--top-k K]
                           [--repetition-penalty R] [--seed S] [--stop ID,…|--ignore-eos] [--logprobs K] [--json]
        """;

    public static int Print()
    {
        Console.WriteLine(Text);
        return 0;
    }
}
