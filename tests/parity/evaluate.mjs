// Raw next-token logits from llama.cpp (through node-llama-cpp) for one sequence of token ids.
//   node evaluate.mjs MODEL.gguf 1,2,3 OUT.json   ->   {"logits": [[...V floats...], ...one row per input position]}
// Used by the GGUF parity tests (tests/Avocado.Models.Tests/Gguf): everything is chosen for exact float32
// comparison, not speed: CPU only, F32 KV cache (the default F16 cache rounds K and V), no flash attention,
// one batch holding the whole sequence, and prebuilt binaries only (nothing is built or downloaded at run time).
import { writeFile } from "node:fs/promises";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

function fail(message) {
    console.error(`evaluate.mjs: ${message}`);
    process.exit(1);
}

const [modelPath, idsArg, outPath] = process.argv.slice(2);
if (!modelPath || !idsArg || !outPath)
    fail("usage: node evaluate.mjs MODEL.gguf ID,ID,... OUT.json");
const ids = idsArg.split(",").map((s) => Number.parseInt(s, 10));
if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 0))
    fail(`token ids must be non-negative integers separated by commas, got "${idsArg}"`);

try {
    const llama = await getLlama({
        gpu: false,
        build: "never",
        usePrebuiltBinaries: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.error,
    });
    const model = await llama.loadModel({ modelPath, gpuLayers: 0, useMmap: false });
    const vocabSize = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length;
    if (!Number.isInteger(vocabSize))
        fail(`${modelPath} has no tokenizer.ggml.tokens list to size the vocabulary by`);
    if (ids.some((id) => id >= vocabSize))
        fail(`token id out of range for a vocabulary of ${vocabSize}`);
    const context = await model.createContext({
        contextSize: Math.max(64, ids.length),
        batchSize: Math.max(64, ids.length), // one batch: every position is computed in the same graph
        sequences: 1,
        threads: 1,                           // fixed reduction order: the same numbers on every run
        flashAttention: false,
        experimentalKvCacheKeyType: "F32",
        experimentalKvCacheValueType: "F32",
    });
    const sequence = context.getSequence();
    const results = await sequence.controlledEvaluate(ids.map((id) => [id, { generateNext: { logits: true } }]));

    const logits = ids.map((_, position) => {
        const map = results[position]?.next?.logits;
        if (map == null)
            fail(`no logits came back for position ${position}`);
        if (map.size !== vocabSize)
            fail(`position ${position}: ${map.size} logits for a vocabulary of ${vocabSize}`);
        const row = new Array(vocabSize).fill(Number.NaN);
        for (const [token, value] of map) row[token] = value;
        if (row.some(Number.isNaN))
            fail(`position ${position}: logits do not cover token ids 0..${vocabSize - 1}`);
        return row;
    });
    await writeFile(outPath, JSON.stringify({ logits }));
    await context.dispose();
    await model.dispose();
    await llama.dispose();
} catch (error) {
    fail(error?.stack ?? String(error));
}
