/* `helix tokenize`: BERT WordPiece tokenization of text lines or JSONL
 * records, one JSONL output line per input line (ids, token types, attention
 * mask, code-point offsets), exact to Hugging Face tokenizers 0.23. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cli_util.h"
#include "helix/hlx.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix tokenize (--vocab VOCAB.txt [--cased] | --tokenizer-json FILE |\n"
            "                       -m MODEL.hlx) [OPTIONS] < INPUT > OUTPUT.jsonl\n"
            "\n"
            "Tokenizes each input line (plain text, or a JSONL record) as Hugging Face's\n"
            "BertTokenizerFast does and writes one JSON line per input line:\n"
            "  {\"input_ids\": [...], \"token_type_ids\": [...], \"attention_mask\": [...],\n"
            "   \"offsets\": [[start, end], ...]}   (offsets in code points of each text)\n"
            "A record that cannot be tokenized gives {\"error\": \"...\", \"line\": N}.\n"
            "\n"
            "options:\n"
            "  --vocab FILE           vocab.txt (uncased unless --cased)\n"
            "  --config FILE          tokenizer_config.json beside vocab.txt (casing, accents)\n"
            "  --cased                keep case and accents (bert-base-cased)\n"
            "  --tokenizer-json FILE  a Hugging Face tokenizer.json (BERT WordPiece)\n"
            "  -m, --model FILE       a .hlx model with tokenizer metadata\n"
            "  --max-len N            truncate to N tokens including [CLS]/[SEP] (default: none)\n"
            "  --truncation S         longest_first (default), only_first or only_second\n"
            "  --pad-to N             pad with [PAD] to N tokens (default: no padding)\n"
            "  --format F             text, jsonl or auto (default: auto, from the first line)\n"
            "  --field NAME           JSONL field of the text (default: text)\n"
            "  --pair-field NAME      JSONL field of the second sequence (default: none)\n"
            "  --byte-offsets         offsets in bytes of the UTF-8 text instead\n"
            "  -h, --help             this help\n");
}

static int usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "helix tokenize: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    fprintf(stderr, "try 'helix tokenize --help'\n");
    return 2;
}

/* Appends the encoding as one JSON line. */
static void write_encoding(FILE *out, const hx_encoding *e, bool byte_offsets) {
    const int32_t *arrs[3] = {e->ids, e->type_ids, e->attention_mask};
    const char *names[3] = {"input_ids", "token_type_ids", "attention_mask"};
    fputc('{', out);
    for (int k = 0; k < 3; k++) {
        fprintf(out, "%s\"%s\": [", k ? ", " : "", names[k]);
        for (size_t i = 0; i < e->length; i++) fprintf(out, i ? ", %d" : "%d", (int)arrs[k][i]);
        fputc(']', out);
    }
    fputs(", \"offsets\": [", out);
    const hx_token_offset *of = byte_offsets ? e->byte_offsets : e->offsets;
    for (size_t i = 0; i < e->length; i++)
        fprintf(out, i ? ", [%u, %u]" : "[%u, %u]", (unsigned)of[i].start, (unsigned)of[i].end);
    fputs("]}\n", out);
}

/* A string field of a record: its bytes; cJSON keeps embedded NULs out, so
 * the text ends at the first \u0000. */
static bool get_field(const cJSON *rec, const char *name, const char **s, size_t *len) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, name);
    if (!cJSON_IsString(v)) return false;
    *s = v->valuestring;
    *len = strlen(v->valuestring);
    return true;
}

int cmd_tokenize(int argc, char **argv) {
    const char *vocab = NULL, *config = NULL, *tjson = NULL, *model = NULL;
    const char *field = "text", *pair_field = NULL, *format = "auto";
    bool cased = false, byte_offsets = false, field_given = false;
    hx_encode_options opt = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--cased")) {
            cased = true;
        } else if (!strcmp(a, "--byte-offsets")) {
            byte_offsets = true;
        } else if (!has_val) {
            return usage_error("missing value or unknown option", a);
        } else if (!strcmp(a, "--vocab")) {
            vocab = argv[++i];
        } else if (!strcmp(a, "--config")) {
            config = argv[++i];
        } else if (!strcmp(a, "--tokenizer-json")) {
            tjson = argv[++i];
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            model = argv[++i];
        } else if (!strcmp(a, "--field")) {
            field = argv[++i];
            field_given = true;
        } else if (!strcmp(a, "--pair-field")) {
            pair_field = argv[++i];
            field_given = true;
        } else if (!strcmp(a, "--format")) {
            format = argv[++i];
            if (strcmp(format, "text") && strcmp(format, "jsonl") && strcmp(format, "auto"))
                return usage_error("--format must be text, jsonl or auto, not", format);
        } else if (!strcmp(a, "--max-len") || !strcmp(a, "--pad-to")) {
            long v;
            if (!cli_parse_int(argv[i + 1], 1, 1L << 30, &v))
                return usage_error("expected a positive integer after", a);
            if (!strcmp(a, "--max-len")) opt.max_length = (size_t)v;
            else opt.pad_to = (size_t)v;
            i++;
        } else if (!strcmp(a, "--truncation")) {
            const char *s = argv[++i];
            if (!strcmp(s, "longest_first")) opt.truncation = HX_TRUNCATE_LONGEST_FIRST;
            else if (!strcmp(s, "only_first")) opt.truncation = HX_TRUNCATE_ONLY_FIRST;
            else if (!strcmp(s, "only_second")) opt.truncation = HX_TRUNCATE_ONLY_SECOND;
            else return usage_error("unknown --truncation", s);
        } else {
            return usage_error("unknown option", a);
        }
    }
    if ((vocab != NULL) + (tjson != NULL) + (model != NULL) != 1)
        return usage_error("give exactly one of --vocab, --tokenizer-json, -m", NULL);
    if (field_given && !strcmp(format, "text"))
        return usage_error("--field/--pair-field need JSONL input", NULL);
    if (pair_field && !strcmp(format, "auto")) format = "jsonl";

    hx_error err;
    hx_error_clear(&err);
    hx_tokenizer *tok = NULL;
    hx_status st;
    if (vocab) {
        cJSON *meta = NULL;
        st = hx_tokenizer_meta_from_vocab_file(vocab, config, cased ? 0 : (config ? -1 : 1),
                                               &meta, &err);
        if (!st) st = hx_tokenizer_from_meta(meta, &tok, &err);
        cJSON_Delete(meta);
    } else if (tjson) {
        cJSON *meta = NULL;
        st = hx_tokenizer_meta_from_json_file(tjson, &meta, &err);
        if (!st) st = hx_tokenizer_from_meta(meta, &tok, &err);
        cJSON_Delete(meta);
    } else {
        hx_hlx *f = NULL;
        st = hx_hlx_open(model, &f, &err);
        if (!st) st = hx_tokenizer_from_hlx(f, &tok, &err);
        hx_hlx_close(f);
    }
    if (st) {
        fprintf(stderr, "helix tokenize: %s\n", err.msg);
        return 1;
    }

    char *line = NULL;
    size_t cap = 0;
    long len, line_no = 0;
    int jsonl = !strcmp(format, "jsonl") ? 1 : !strcmp(format, "text") ? 0 : -1;
    hx_encoding enc;
    hx_encoding_init(&enc);
    int rc = 0;
    while ((len = cli_read_line(stdin, &line, &cap)) >= 0) {
        line_no++;
        if (jsonl < 0 && len > 0) jsonl = line[0] == '{';
        hx_error_clear(&err);
        if (jsonl == 1) {
            cJSON *rec = cJSON_ParseWithLength(line, (size_t)len);
            const char *a = NULL, *b = NULL;
            size_t al = 0, bl = 0;
            if (!cJSON_IsObject(rec)) {
                cli_write_error_record(stdout, "not a JSON object", line_no);
            } else if (!get_field(rec, field, &a, &al)) {
                cli_write_error_record(stdout, "text field missing or not a string", line_no);
            } else if (pair_field && !get_field(rec, pair_field, &b, &bl)) {
                cli_write_error_record(stdout, "pair field missing or not a string", line_no);
            } else if (hx_tokenizer_encode(tok, a, al, b, bl, &opt, &enc, &err)) {
                cli_write_error_record(stdout, err.msg, line_no);
            } else {
                write_encoding(stdout, &enc, byte_offsets);
            }
            cJSON_Delete(rec);
        } else if (hx_tokenizer_encode(tok, line, (size_t)len, NULL, 0, &opt, &enc, &err)) {
            cli_write_error_record(stdout, err.msg, line_no);
        } else {
            write_encoding(stdout, &enc, byte_offsets);
        }
        if (err.code == HX_ENOMEM) {
            fprintf(stderr, "helix tokenize: %s\n", err.msg);
            rc = 1;
            break;
        }
        cli_progress("tokenize", (size_t)line_no, 0);
    }
    cli_progress_end();
    if (ferror(stdin)) {
        fprintf(stderr, "helix tokenize: error reading the input\n");
        rc = 1;
    }
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "helix tokenize: error writing the output\n");
        rc = 1;
    }
    free(line);
    hx_encoding_free(&enc);
    hx_tokenizer_free(tok);
    return rc;
}
