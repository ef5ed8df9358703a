/* The 8259A master/slave pair: initialization, masks, priorities, EOIs, cascade, triggering. */
#include "pic8259.h"
#include "ut.h"

static void out8(struct vmm_devices *t, uint16_t port, uint8_t v)
{
    bool claimed = false;
    vmm_io_write(t, port, 1, v, &claimed);
    CHECK(claimed);
}

static uint8_t in8(struct vmm_devices *t, uint16_t port)
{
    return (uint8_t)vmm_io_read(t, port, 1, 0);
}

/* Linux's init_8259A(): ICW1 0x11, ICW2 0x20 / 0x28, ICW3 4 / 2, ICW4 1; then masks. */
static void linux_init(struct pic8259 *pic, struct vmm_devices *t, uint8_t mask_m, uint8_t mask_s)
{
    vmm_devices_init(t);
    pic_init(pic);
    CHECK(pic_register(pic, t));
    out8(t, 0x21, 0xff);
    out8(t, 0xa1, 0xff);
    out8(t, 0x20, 0x11);
    out8(t, 0x21, 0x20);
    out8(t, 0x21, 0x04);
    out8(t, 0x21, 0x01);
    out8(t, 0xa0, 0x11);
    out8(t, 0xa1, 0x28);
    out8(t, 0xa1, 0x02);
    out8(t, 0xa1, 0x01);
    out8(t, 0x21, mask_m);
    out8(t, 0xa1, mask_s);
}

static void pulse(struct pic8259 *pic, unsigned irq)
{
    pic_set_irq(pic, irq, 1);
    pic_set_irq(pic, irq, 0);
}

UT_TEST(pic_linux_init_sequence)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0xfb, 0xff);
    CHECK_EQ(pic.chip[0].vector_base, 0x20);
    CHECK_EQ(pic.chip[1].vector_base, 0x28);
    CHECK_EQ(pic.chip[0].icw3, 4);
    CHECK_EQ(pic.chip[1].icw3, 2);
    CHECK_EQ(pic.chip[0].init_step, 0);
    CHECK_EQ(in8(&t, 0x21), 0xfb);                  /* OCW1 reads back */
    CHECK_EQ(in8(&t, 0xa1), 0xff);
    CHECK(!pic_has_interrupt(&pic));
    CHECK_EQ(pic_acknowledge(&pic), 0x27);          /* nothing: spurious IRQ 7 */
    CHECK_EQ(pic.chip[0].isr, 0);
}

UT_TEST(pic_mask_and_unmask)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0xff, 0xff);
    pulse(&pic, 1);
    CHECK(!pic_has_interrupt(&pic));                /* latched in IRR, masked */
    CHECK_EQ(in8(&t, 0x20), 0x02);
    out8(&t, 0x21, 0xfd);
    CHECK(pic_has_interrupt(&pic));
    CHECK_EQ(pic_acknowledge(&pic), 0x21);
    CHECK(!pic_has_interrupt(&pic));
    out8(&t, 0x20, 0x20);
    CHECK_EQ(pic.chip[0].isr, 0);
}

UT_TEST(pic_priority_and_eoi_ordering)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0xff);
    pulse(&pic, 4);
    pulse(&pic, 3);
    CHECK_EQ(pic_acknowledge(&pic), 0x23);          /* IR3 before IR4 */
    CHECK(!pic_has_interrupt(&pic));                /* IR4 waits for IR3's EOI */
    pulse(&pic, 1);                                 /* higher priority nests */
    CHECK(pic_has_interrupt(&pic));
    CHECK_EQ(pic_acknowledge(&pic), 0x21);
    CHECK_EQ(pic.chip[0].isr, 0x0a);
    out8(&t, 0x20, 0x20);                           /* non-specific EOI: IR1 */
    CHECK_EQ(pic.chip[0].isr, 0x08);
    CHECK(!pic_has_interrupt(&pic));
    out8(&t, 0x20, 0x63);                           /* specific EOI of IR3 */
    CHECK_EQ(pic.chip[0].isr, 0);
    CHECK_EQ(pic_acknowledge(&pic), 0x24);
    out8(&t, 0x20, 0x20);
    CHECK(!pic_has_interrupt(&pic));
}

UT_TEST(pic_rotation_commands)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0xff);
    out8(&t, 0x20, 0xc4);                           /* set priority: IR4 lowest, IR5 highest */
    pulse(&pic, 1);
    pulse(&pic, 6);
    CHECK_EQ(pic_acknowledge(&pic), 0x26);
    out8(&t, 0x20, 0xa0);                           /* rotate on non-specific EOI: IR6 lowest */
    CHECK_EQ(pic.chip[0].lowest, 6);
    pulse(&pic, 6);
    CHECK_EQ(pic_acknowledge(&pic), 0x21);          /* IR7 first now, then 0, 1 */
    out8(&t, 0x20, 0xe1);                           /* rotate on specific EOI of 1 */
    CHECK_EQ(pic.chip[0].lowest, 1);
    CHECK_EQ(pic_acknowledge(&pic), 0x26);
    out8(&t, 0x20, 0x20);
    CHECK(!pic_has_interrupt(&pic));
}

UT_TEST(pic_cascade_irq8)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0xfb, 0xfe);
    pic_set_irq(&pic, 8, 1);
    CHECK(pic_has_interrupt(&pic));
    CHECK_EQ(pic.chip[0].irr & 0x04, 0x04);         /* the master sees IR2 */
    CHECK_EQ(pic_acknowledge(&pic), 0x28);          /* the slave's base + 0 */
    CHECK_EQ(pic.chip[0].isr, 0x04);
    CHECK_EQ(pic.chip[1].isr, 0x01);
    pic_set_irq(&pic, 8, 0);
    out8(&t, 0xa0, 0x20);
    out8(&t, 0x20, 0x20);
    CHECK(pic.chip[0].isr == 0 && pic.chip[1].isr == 0);
    CHECK(!pic_has_interrupt(&pic));
    /* The cascade input outranks IR3 and is outranked by IR1. */
    out8(&t, 0x21, 0x00);
    out8(&t, 0xa1, 0x00);
    pulse(&pic, 3);
    pulse(&pic, 12);
    pulse(&pic, 1);
    CHECK_EQ(pic_acknowledge(&pic), 0x21);
    out8(&t, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&pic), 0x2c);
    out8(&t, 0xa0, 0x20);
    out8(&t, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&pic), 0x23);
    pic_set_irq(&pic, 2, 1);                        /* the cascade line is not a device line */
    out8(&t, 0x20, 0x20);
    CHECK(!pic_has_interrupt(&pic));
}

UT_TEST(pic_level_redelivery_until_line_drops)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0x00);
    out8(&t, 0x4d1, 0x02);                          /* ELCR: IRQ 9 level */
    pic_set_irq(&pic, 9, 1);
    for (int i = 0; i < 3; i++) {
        CHECK(pic_has_interrupt(&pic));
        CHECK_EQ(pic_acknowledge(&pic), 0x29);
        CHECK(!pic_has_interrupt(&pic));            /* in service */
        out8(&t, 0xa0, 0x20);
        out8(&t, 0x20, 0x20);
    }
    CHECK_EQ(pic_acknowledge(&pic), 0x29);          /* the handler quiets the device, then EOIs */
    pic_set_irq(&pic, 9, 0);
    out8(&t, 0xa0, 0x20);
    out8(&t, 0x20, 0x20);
    CHECK(!pic_has_interrupt(&pic));
    /* Edge: one pulse, one interrupt, whatever the line does afterwards. */
    pic_set_irq(&pic, 10, 1);
    CHECK_EQ(pic_acknowledge(&pic), 0x2a);
    out8(&t, 0xa0, 0x20);
    out8(&t, 0x20, 0x20);
    CHECK(!pic_has_interrupt(&pic));                /* still high, no new edge */
    pic_set_irq(&pic, 10, 0);
    pic_set_irq(&pic, 10, 1);
    CHECK(pic_has_interrupt(&pic));
}

UT_TEST(pic_icw1_ltim_level_mode)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0xff);
    out8(&t, 0x20, 0x19);                           /* ICW1 with LTIM */
    out8(&t, 0x21, 0x20);
    out8(&t, 0x21, 0x04);
    out8(&t, 0x21, 0x01);
    pic_set_irq(&pic, 5, 1);
    CHECK_EQ(pic_acknowledge(&pic), 0x25);
    out8(&t, 0x20, 0x20);
    CHECK(pic_has_interrupt(&pic));
}

UT_TEST(pic_spurious_7_and_15)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0x00);
    out8(&t, 0x4d0, 0x80);                          /* IRQ 7 level, for a line that can drop */
    out8(&t, 0x4d1, 0x08);                          /* IRQ 11 level */
    pic_set_irq(&pic, 7, 1);
    CHECK(pic_has_interrupt(&pic));
    pic_set_irq(&pic, 7, 0);                        /* gone before INTA */
    CHECK_EQ(pic_acknowledge(&pic), 0x27);
    CHECK_EQ(pic.chip[0].isr, 0);                   /* spurious: no ISR bit */
    /* The master latched IR2 (edge) but the slave's request is gone at INTA. */
    pic_set_irq(&pic, 11, 1);
    pic_set_irq(&pic, 11, 0);
    CHECK(pic_has_interrupt(&pic));
    CHECK_EQ(pic_acknowledge(&pic), 0x2f);
    CHECK_EQ(pic.chip[1].isr, 0);
    CHECK_EQ(pic.chip[0].isr, 0x04);                /* the guest EOIs the master */
}

UT_TEST(pic_auto_eoi)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0xff);
    out8(&t, 0x20, 0x11);
    out8(&t, 0x21, 0x20);
    out8(&t, 0x21, 0x04);
    out8(&t, 0x21, 0x03);                           /* ICW4: 8086 + AEOI */
    pulse(&pic, 5);
    pulse(&pic, 6);
    CHECK_EQ(pic_acknowledge(&pic), 0x25);
    CHECK_EQ(pic.chip[0].isr, 0);
    CHECK(pic_has_interrupt(&pic));                 /* no EOI needed */
    CHECK_EQ(pic_acknowledge(&pic), 0x26);
    out8(&t, 0x20, 0x80);                           /* rotate in AEOI mode */
    pulse(&pic, 0);
    CHECK_EQ(pic_acknowledge(&pic), 0x20);
    CHECK_EQ(pic.chip[0].lowest, 0);
}

UT_TEST(pic_ocw3_irr_isr_poll_special_mask)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0xff);
    pulse(&pic, 3);
    pulse(&pic, 6);
    CHECK_EQ(in8(&t, 0x20), 0x48);                  /* IRR after init */
    CHECK_EQ(pic_acknowledge(&pic), 0x23);
    out8(&t, 0x20, 0x0b);                           /* read ISR */
    CHECK_EQ(in8(&t, 0x20), 0x08);
    CHECK_EQ(in8(&t, 0x20), 0x08);                  /* sticky */
    out8(&t, 0x20, 0x0a);                           /* read IRR */
    CHECK_EQ(in8(&t, 0x20), 0x40);
    /* Special mask mode: masking IR3 (in service) lets IR6 through. */
    CHECK(!pic_has_interrupt(&pic));
    out8(&t, 0x21, 0x08);
    out8(&t, 0x20, 0x68);
    CHECK(pic_has_interrupt(&pic));
    out8(&t, 0x20, 0x48);                           /* reset special mask */
    CHECK(!pic_has_interrupt(&pic));
    out8(&t, 0x20, 0x63);
    /* Poll: the read acknowledges. */
    out8(&t, 0x20, 0x0c);
    CHECK_EQ(in8(&t, 0x20), 0x86);
    CHECK_EQ(pic.chip[0].isr, 0x40);
    out8(&t, 0x20, 0x0c);
    CHECK_EQ(in8(&t, 0x20), 0x00);                  /* nothing left */
}

UT_TEST(pic_elcr_read_back_and_mask)
{
    struct pic8259 pic;
    struct vmm_devices t;
    linux_init(&pic, &t, 0x00, 0x00);
    out8(&t, 0x4d0, 0xff);
    out8(&t, 0x4d1, 0xff);
    CHECK_EQ(in8(&t, 0x4d0), 0xf8);
    CHECK_EQ(in8(&t, 0x4d1), 0xde);
    CHECK_EQ(vmm_io_read(&t, 0x4d0, 2, 0), 0xdef8);
    out8(&t, 0x4d0, 0x00);
    out8(&t, 0x4d1, 0x00);                          /* IRQ 9 edge: a held line asks once */
    pic_set_irq(&pic, 9, 1);
    CHECK_EQ(pic_acknowledge(&pic), 0x29);
    out8(&t, 0xa0, 0x20);
    out8(&t, 0x20, 0x20);
    CHECK(!pic_has_interrupt(&pic));
    out8(&t, 0x4d1, 0x02);                          /* level: the held line asks again */
    CHECK(pic_has_interrupt(&pic));
    CHECK_EQ(pic_acknowledge(&pic), 0x29);
}
