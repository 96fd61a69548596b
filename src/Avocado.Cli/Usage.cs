namespace Avocado.Cli;

public static class Usage
{
    public const string Text = """
        avocado — distill open-weight teachers into one closed student, and serve it.

        Models (Hugging Face layout: config.json + *.safetensors):
          avocado model init --family qwen3|gemma3|gpt-oss --preset tiny --out DIR [--seed N] [--vocab-size N]
                             [--tokenizer qwen3|gemma3|o200k_harmony] [--dtype f32|bf16|f16]
          avocado model info DIR [--json]
          avocado model logits DIR --ids 1,2,3 [--out FILE.json]
          avocado model export-gguf DIR --out FILE.gguf [--dtype f32|f16]
          avocado generate DIR (--ids 1,2,3 | --prompt "…" [--chat] [--thinking on|off] [--reasoning-effort low|medium|high])
                           [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--repetition-penalty R] [--seed S]
                           [--stop ID,…|--ignore-eos] [--logprobs K] [--json]

        Text (tokenizer.json + tokenizer_config.json in the checkpoint directory):
          avocado tokenize DIR (--text T | --file F) [--special] [--add-special-tokens] [--offsets]
          avocado detokenize DIR --ids 1,2,3 [--skip-special]
          avocado chat-format DIR --messages FILE.json [--generation-prompt] [--thinking on|off]
                              [--reasoning-effort low|medium|high] [--ids]

        Data engine (teachers → verified, selected, decontaminated distillation set; Parquet/JSONL shards + manifest + dataset card):
          avocado distill generate --config RUN.json [--resume]
          avocado quickstart [--preset default|smoke] [--dir DIR] [--no-serve] [--baselines] [--port 8080] [--db PATH]
          avocado distill train --config TRAIN.json [--resume RUN_DIR] [--threads N]
          avocado data inspect FILE|DIR [--head N]
          avocado eval --model NAME=DIR|URL[#MODEL] … --bench FILE … [--samples K] [--max-tokens N] [--out DIR] [--concurrency N]
                       [--pass-k K] [--temperature T] [--seed S] [--thinking on|off]   (report.json, report.md, accuracy.png)

        Serving (OpenAI-compatible API with keys, tenants, metering and a prepaid ledger; --db defaults to .avocado/avocado.db):
          avocado serve --model NAME=DIR … [--upstream NAME=URL[#MODEL] …] [--db PATH|postgres://…] [--urls http://127.0.0.1:8080]
                        [--admin-key KEY] [--max-batch N] [--max-context N] [--instance-id ID] [--verbose]
          avocado tenants create NAME | tenants list
          avocado keys create --tenant ID [--name N] [--models a,b] [--rpm N] [--tpm N] [--expires DATE] | keys list --tenant ID | keys revoke KEY_ID
          avocado prices set MODEL --input USD_PER_1M --output USD_PER_1M | prices list
          avocado credits grant TENANT USD [--note TEXT] | credits balance TENANT
          avocado usage [--tenant ID] [--key ID] [--model M] [--from DATE] [--to DATE] [--group-by tenant,key,model,day] [--json]
        """;

    public static int Print()
    {
        Console.WriteLine(Text);
        return 0;
    }
}
